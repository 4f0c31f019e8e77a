// Generated from docs/openapi.json by `make openapi`: edit that file, then run it.

extension OpenAPIDocument {
    static let text = ##"""
{
  "openapi": "3.1.0",
  "info": {
    "title": "Cairn",
    "version": "1",
    "description": "Cairn's HTTP API: event ingest (Tracardi's tracker, webhooks, Segment and PostHog) and the admin API (profiles, configuration, status, the change log). Admin routes take `Authorization: Bearer <token>`; each needs the permission in `x-cairn-permission` (docs/access.md, docs/api.md)."
  },
  "tags": [
    {
      "name": "Ingest"
    },
    {
      "name": "Segment"
    },
    {
      "name": "PostHog"
    },
    {
      "name": "Health"
    },
    {
      "name": "Profiles"
    },
    {
      "name": "Configuration"
    },
    {
      "name": "Changes"
    },
    {
      "name": "Meta"
    }
  ],
  "paths": {
    "/track": {
      "post": {
        "operationId": "track",
        "tags": [
          "Ingest"
        ],
        "summary": "Track events (Tracardi's tracker)",
        "description": "Tracardi's `/track` payload: `source.id`, optional `profile.id` and `session.id`, and `events`. The reply carries the profile (the survivor's id after a merge), the session, the stored event ids, and the UX items and response values the workflows asked for. `?ack=durable` replies once the events are durable rather than projected; `?profile_less=true` stores them with no profile.",
        "security": [],
        "parameters": [
          {
            "name": "ack",
            "in": "query",
            "description": "`projected` (the server's default) or `durable`.",
            "required": false,
            "schema": {
              "enum": [
                "projected",
                "durable"
              ]
            }
          },
          {
            "name": "profile_less",
            "in": "query",
            "description": "`true`: the events get no profile.",
            "required": false,
            "schema": {
              "type": "boolean"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/TrackPayload"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Stored (and projected, unless `ack=durable`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/TrackReply"
                }
              }
            }
          },
          "401": {
            "description": "No event source has the id; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events; they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not a valid tracker payload; the detail names the field.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/collect/{type}/{source}": {
      "get": {
        "operationId": "collectGet",
        "tags": [
          "Ingest"
        ],
        "summary": "Collect one event (webhook)",
        "description": "The webhook bridge: one event of the path's type from a `webhook` source. The query parameters are the event's properties.",
        "security": [],
        "parameters": [
          {
            "name": "type",
            "in": "path",
            "description": "The event type.",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "order-paid"
          },
          {
            "name": "source",
            "in": "path",
            "description": "The event source's id (a webhook source).",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "profile_id",
            "in": "query",
            "description": "The profile the event is about.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Stored.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "events": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No event source has the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the event (e.g. not a webhook source).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not a JSON object, or the event type is invalid.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      },
      "post": {
        "operationId": "collectPost",
        "tags": [
          "Ingest"
        ],
        "summary": "Collect one event (webhook)",
        "description": "The webhook bridge: one event of the path's type from a `webhook` source. The JSON object in the body, and any query parameters, are the event's properties.",
        "security": [],
        "parameters": [
          {
            "name": "type",
            "in": "path",
            "description": "The event type.",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "order-paid"
          },
          {
            "name": "source",
            "in": "path",
            "description": "The event source's id (a webhook source).",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "profile_id",
            "in": "query",
            "description": "The profile the event is about.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Stored.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "events": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No event source has the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the event (e.g. not a webhook source).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not a JSON object, or the event type is invalid.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        },
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        }
      }
    },
    "/collect/{type}/{source}/{session}": {
      "get": {
        "operationId": "collectSessionGet",
        "tags": [
          "Ingest"
        ],
        "summary": "Collect one event (webhook)",
        "description": "The webhook bridge: one event of the path's type from a `webhook` source. The query parameters are the event's properties.",
        "security": [],
        "parameters": [
          {
            "name": "type",
            "in": "path",
            "description": "The event type.",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "order-paid"
          },
          {
            "name": "source",
            "in": "path",
            "description": "The event source's id (a webhook source).",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "session",
            "in": "path",
            "description": "The session id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "profile_id",
            "in": "query",
            "description": "The profile the event is about.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Stored.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "events": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No event source has the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the event (e.g. not a webhook source).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not a JSON object, or the event type is invalid.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      },
      "post": {
        "operationId": "collectSessionPost",
        "tags": [
          "Ingest"
        ],
        "summary": "Collect one event (webhook)",
        "description": "The webhook bridge: one event of the path's type from a `webhook` source. The JSON object in the body, and any query parameters, are the event's properties.",
        "security": [],
        "parameters": [
          {
            "name": "type",
            "in": "path",
            "description": "The event type.",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "order-paid"
          },
          {
            "name": "source",
            "in": "path",
            "description": "The event source's id (a webhook source).",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "session",
            "in": "path",
            "description": "The session id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "profile_id",
            "in": "query",
            "description": "The profile the event is about.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Stored.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "events": {
                      "type": "array",
                      "items": {
                        "type": "string"
                      }
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No event source has the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the event (e.g. not a webhook source).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not a JSON object, or the event type is invalid.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        },
        "requestBody": {
          "required": false,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        }
      }
    },
    "/v1/batch": {
      "post": {
        "operationId": "segmentBatch",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: batch",
        "description": "A batch of Segment messages (`{\"batch\": [...]}`), each of any type. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/track": {
      "post": {
        "operationId": "segmentTrack",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: track",
        "description": "One Segment `track` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/identify": {
      "post": {
        "operationId": "segmentIdentify",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: identify",
        "description": "One Segment `identify` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/page": {
      "post": {
        "operationId": "segmentPage",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: page",
        "description": "One Segment `page` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/screen": {
      "post": {
        "operationId": "segmentScreen",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: screen",
        "description": "One Segment `screen` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/group": {
      "post": {
        "operationId": "segmentGroup",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: group",
        "description": "One Segment `group` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/v1/alias": {
      "post": {
        "operationId": "segmentAlias",
        "tags": [
          "Segment"
        ],
        "summary": "Segment: alias",
        "description": "One Segment `alias` message. The write key (Basic auth or `writeKey`) is the event source's id; see docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/batch/": {
      "post": {
        "operationId": "posthogBatch",
        "tags": [
          "PostHog"
        ],
        "summary": "PostHog: batch",
        "description": "A batch of PostHog events (`{\"api_key\": ..., \"batch\": [...]}`); the API key is the event source's id. See docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/capture/": {
      "post": {
        "operationId": "posthogCapture",
        "tags": [
          "PostHog"
        ],
        "summary": "PostHog: capture",
        "description": "One PostHog event, or a batch by the body's shape; the API key is the event source's id. See docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/healthz": {
      "get": {
        "operationId": "health",
        "tags": [
          "Health"
        ],
        "summary": "Liveness",
        "description": "Answers while the process serves HTTP.",
        "security": [],
        "responses": {
          "200": {
            "description": "Alive.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "const": "ok"
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    "/readyz": {
      "get": {
        "operationId": "ready",
        "tags": [
          "Health"
        ],
        "summary": "Readiness",
        "description": "The projection's applied offset and the event log's end.",
        "security": [],
        "responses": {
          "200": {
            "description": "Ready.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "properties": {
                    "status": {
                      "const": "ready"
                    },
                    "applied": {
                      "type": "integer"
                    },
                    "log_end": {
                      "type": "integer"
                    }
                  }
                }
              }
            }
          }
        }
      }
    },
    "/profiles/{id}": {
      "get": {
        "operationId": "getProfile",
        "tags": [
          "Profiles"
        ],
        "summary": "A profile",
        "description": "The profile, resolved through merges and identifiers.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readProfiles",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "A profile id, an id merged into another profile (answered with the survivor), or an identifier such as `email:ada@example.com` (percent-encoded).",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "email:ada@example.com"
          }
        ],
        "responses": {
          "200": {
            "description": "The profile.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Profile"
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No profile for the id; the detail names it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/profiles/{id}/sessions": {
      "get": {
        "operationId": "getProfileSessions",
        "tags": [
          "Profiles"
        ],
        "summary": "A profile's sessions",
        "description": "In session-id order, a page at a time.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readProfiles",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "A profile id, an id merged into another profile (answered with the survivor), or an identifier such as `email:ada@example.com` (percent-encoded).",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "email:ada@example.com"
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "after",
            "in": "query",
            "description": "A session id from a page's `next`: the page starts after it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of sessions.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "profile",
                    "sessions",
                    "next"
                  ],
                  "properties": {
                    "profile": {
                      "type": "string",
                      "description": "The canonical profile id."
                    },
                    "sessions": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Session"
                      }
                    },
                    "next": {
                      "$ref": "#/components/schemas/Cursor"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No profile for the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `limit`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/profiles/{id}/events": {
      "get": {
        "operationId": "getProfileEvents",
        "tags": [
          "Profiles"
        ],
        "summary": "A profile's event trail",
        "description": "The events behind the profile in time order, as the event log holds them (merged profiles' events included). An event from an ephemeral source is given by its id only, with `\"ephemeral\": true`.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readTrails",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "A profile id, an id merged into another profile (answered with the survivor), or an identifier such as `email:ada@example.com` (percent-encoded).",
            "required": true,
            "schema": {
              "type": "string"
            },
            "example": "email:ada@example.com"
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "after",
            "in": "query",
            "description": "A cursor from a page's `next` (`<time>_<offset>`): the page starts after it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of the trail.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "profile",
                    "events",
                    "next"
                  ],
                  "properties": {
                    "profile": {
                      "type": "string"
                    },
                    "events": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/TrailEntry"
                      }
                    },
                    "next": {
                      "$ref": "#/components/schemas/Cursor"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No profile for the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `limit` or `after`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/segments/{id}/members": {
      "get": {
        "operationId": "getSegmentMembers",
        "tags": [
          "Profiles"
        ],
        "summary": "A segment's members",
        "description": "Profiles in the segment, found by reading profiles in id order: a page reads at most 10,000 profiles, so it may hold fewer than `limit` members (even none) and still have a `next`. Walking a whole segment reads every profile once.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readProfiles",
        "parameters": [
          {
            "name": "id",
            "in": "path",
            "description": "The segment's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "after",
            "in": "query",
            "description": "A profile id from a page's `next`: the scan continues after it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of members.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "segment",
                    "members",
                    "next"
                  ],
                  "properties": {
                    "segment": {
                      "type": "string"
                    },
                    "members": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/Profile"
                      }
                    },
                    "next": {
                      "$ref": "#/components/schemas/Cursor"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No segment with the id is configured.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `limit`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/config/history": {
      "get": {
        "operationId": "getConfigurationHistory",
        "tags": [
          "Configuration"
        ],
        "summary": "Configuration history",
        "description": "The configuration records of the event log from `from`, oldest first. A page reads at most 100,000 event-log records, so it may hold fewer than `limit` changes; `next` is where the next page starts and `end` tells whether this one reached the log's end.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readConfiguration",
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "description": "The first event-log offset to read; 0 when absent.",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0
            }
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of history.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "history",
                    "next",
                    "end"
                  ],
                  "properties": {
                    "history": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ConfigurationHistoryEntry"
                      }
                    },
                    "next": {
                      "type": "integer"
                    },
                    "end": {
                      "type": "boolean"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `from` or `limit`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/config/{kind}": {
      "get": {
        "operationId": "listConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "Configuration objects of a kind",
        "description": "In id order, a page at a time; resources with their credentials masked.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "after",
            "in": "query",
            "description": "An id from a page's `next`: the page starts after it.",
            "required": false,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of objects.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "objects",
                    "next"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "objects": {
                      "type": "array",
                      "items": {
                        "$ref": "#/components/schemas/ConfigurationEntry"
                      }
                    },
                    "next": {
                      "$ref": "#/components/schemas/Cursor"
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No such kind; the detail lists the kinds.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `limit`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/config/{kind}/{id}": {
      "get": {
        "operationId": "getConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "A configuration object",
        "description": "The object with its version; a resource's credentials masked (`<sealed: n bytes>`).",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "id",
            "in": "path",
            "description": "The object's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The object.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ConfigurationEntry"
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No object of the kind with the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      },
      "put": {
        "operationId": "putConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "Create or replace a configuration object",
        "description": "The body is the object's JSON as in configuration files (`kind` and `id` may be left out; when given they must be the path's). It is validated with the standard checks (conditions parse, workflows validate, references exist) and recorded with the token's name as author. A resource's credentials may be given in clear as an object per slot (`production`, `test`): they are sealed with the server's secret key; a slot given as its masked form keeps the stored credentials. Destinations and resources also need the permission `manageDestinations`.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "writeConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "id",
            "in": "path",
            "description": "The object's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "$ref": "#/components/schemas/ConfigurationObject"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "Updated, enabled, disabled or unchanged.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "id",
                    "version",
                    "action"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "id": {
                      "type": "string"
                    },
                    "version": {
                      "type": "integer",
                      "description": "The object's version after the change (the current one when unchanged)."
                    },
                    "action": {
                      "enum": [
                        "create",
                        "update",
                        "delete",
                        "enable",
                        "disable",
                        "unchanged"
                      ]
                    }
                  }
                }
              }
            }
          },
          "201": {
            "description": "Created.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "id",
                    "version",
                    "action"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "id": {
                      "type": "string"
                    },
                    "version": {
                      "type": "integer",
                      "description": "The object's version after the change (the current one when unchanged)."
                    },
                    "action": {
                      "enum": [
                        "create",
                        "update",
                        "delete",
                        "enable",
                        "disable",
                        "unchanged"
                      ]
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No such kind.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "409": {
            "description": "Credentials to seal and no secret key configured (set `CAIRN_SECRET_KEY` or run `cairn config init-key`).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON, or the object is invalid; the detail is the validation message naming the object and the field.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "500": {
            "description": "The secret key is malformed or readable by others.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      },
      "delete": {
        "operationId": "deleteConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "Delete a configuration object",
        "description": "Refused while another object names it.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "writeConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "id",
            "in": "path",
            "description": "The object's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Deleted.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "id",
                    "version",
                    "action"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "id": {
                      "type": "string"
                    },
                    "version": {
                      "type": "integer",
                      "description": "The object's version after the change (the current one when unchanged)."
                    },
                    "action": {
                      "enum": [
                        "create",
                        "update",
                        "delete",
                        "enable",
                        "disable",
                        "unchanged"
                      ]
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No object of the kind with the id (or no such kind).",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "409": {
            "description": "A conflict: a deletion of an object another one names, or credentials with no secret key configured.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/config/{kind}/{id}/enable": {
      "post": {
        "operationId": "enableConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "Enable a configuration object",
        "description": "Nothing changes (`unchanged`) when it is enabled already.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "writeConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "id",
            "in": "path",
            "description": "The object's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Enabled, or unchanged.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "id",
                    "version",
                    "action"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "id": {
                      "type": "string"
                    },
                    "version": {
                      "type": "integer",
                      "description": "The object's version after the change (the current one when unchanged)."
                    },
                    "action": {
                      "enum": [
                        "create",
                        "update",
                        "delete",
                        "enable",
                        "disable",
                        "unchanged"
                      ]
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No object of the kind with the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/config/{kind}/{id}/disable": {
      "post": {
        "operationId": "disableConfiguration",
        "tags": [
          "Configuration"
        ],
        "summary": "Disable a configuration object",
        "description": "Nothing changes (`unchanged`) when it is disabled already.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "writeConfiguration",
        "parameters": [
          {
            "name": "kind",
            "in": "path",
            "description": "The configuration kind.",
            "required": true,
            "schema": {
              "$ref": "#/components/schemas/ConfigurationKind"
            }
          },
          {
            "name": "id",
            "in": "path",
            "description": "The object's id.",
            "required": true,
            "schema": {
              "type": "string"
            }
          }
        ],
        "responses": {
          "200": {
            "description": "Disabled, or unchanged.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object",
                  "required": [
                    "kind",
                    "id",
                    "version",
                    "action"
                  ],
                  "properties": {
                    "kind": {
                      "$ref": "#/components/schemas/ConfigurationKind"
                    },
                    "id": {
                      "type": "string"
                    },
                    "version": {
                      "type": "integer",
                      "description": "The object's version after the change (the current one when unchanged)."
                    },
                    "action": {
                      "enum": [
                        "create",
                        "update",
                        "delete",
                        "enable",
                        "disable",
                        "unchanged"
                      ]
                    }
                  }
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "404": {
            "description": "No object of the kind with the id.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/status": {
      "get": {
        "operationId": "getStatus",
        "tags": [
          "Changes"
        ],
        "summary": "Status",
        "description": "How far the projection is behind the event log, and the logs' ends.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readChanges",
        "responses": {
          "200": {
            "description": "The status.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Status"
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/changes": {
      "get": {
        "operationId": "getChanges",
        "tags": [
          "Changes"
        ],
        "summary": "Changes (long poll)",
        "description": "Up to `limit` changes from the change log from `from`. When there are none yet, waits up to `wait` seconds for the first one. `next` is the offset to ask for next: past every record looked at, skipped ones included, so a filter never loses the position. A page looks at most at 100,000 records.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readChanges",
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "description": "The first change-log offset to read, or `end` for the changes appended from now on; 0 when absent.",
            "required": false,
            "schema": {
              "oneOf": [
                {
                  "type": "integer",
                  "minimum": 0
                },
                {
                  "const": "end"
                }
              ]
            }
          },
          {
            "name": "kinds",
            "in": "query",
            "description": "Only changes of these kinds, comma-separated; all when absent. Skipped changes still move `next`.",
            "required": false,
            "schema": {
              "type": "string"
            },
            "example": "profile.updated,segment.entered"
          },
          {
            "name": "limit",
            "in": "query",
            "description": "At most this many items (1 to 1000).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 1,
              "maximum": 1000,
              "default": 100
            }
          },
          {
            "name": "wait",
            "in": "query",
            "description": "Seconds to wait for a change when there is none (0 to 30).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0,
              "maximum": 30,
              "default": 0
            }
          }
        ],
        "responses": {
          "200": {
            "description": "A page of changes.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/ChangePage"
                }
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `from`, `kinds`, `limit` or `wait`; the detail names it.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/changes/stream": {
      "get": {
        "operationId": "streamChanges",
        "tags": [
          "Changes"
        ],
        "summary": "Changes (Server-Sent Events)",
        "description": "Every change from `from` (or after the `Last-Event-ID` header's offset) as one event: `id: <change-log offset>` and `data: <change JSON>`, as the projector writes them. A comment line (`: heartbeat`) after 15 s without an event. The stream ends when the server shuts down; reconnect with `Last-Event-ID` to resume exactly after the last event seen.",
        "security": [
          {
            "bearer": []
          }
        ],
        "x-cairn-permission": "readChanges",
        "parameters": [
          {
            "name": "from",
            "in": "query",
            "description": "The first change-log offset to read, or `end` for the changes appended from now on; 0 when absent.",
            "required": false,
            "schema": {
              "oneOf": [
                {
                  "type": "integer",
                  "minimum": 0
                },
                {
                  "const": "end"
                }
              ]
            }
          },
          {
            "name": "kinds",
            "in": "query",
            "description": "Only changes of these kinds, comma-separated; all when absent. Skipped changes still move `next`.",
            "required": false,
            "schema": {
              "type": "string"
            },
            "example": "profile.updated,segment.entered"
          },
          {
            "name": "Last-Event-ID",
            "in": "header",
            "description": "Resume after this change-log offset (takes precedence over `from`).",
            "required": false,
            "schema": {
              "type": "integer",
              "minimum": 0
            }
          }
        ],
        "responses": {
          "200": {
            "description": "The event stream.",
            "content": {
              "text/event-stream": {
                "schema": {
                  "type": "string"
                },
                "example": ": changes from offset 41\n\nid: 41\ndata: {\"entity\":\"profile\",\"event\":\"e-1\",\"fields\":[],\"id\":\"p1\",\"kind\":\"profile.updated\",\"offset\":17,\"seq\":1}\n\n"
              }
            }
          },
          "401": {
            "description": "No token, a malformed `Authorization` header, or a token that is unknown or revoked; `WWW-Authenticate: Bearer` is set.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The token's role lacks the permission; the detail names the role and the permission.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "A bad `from`, `kinds` or `Last-Event-ID`.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/openapi.json": {
      "get": {
        "operationId": "getOpenAPI",
        "tags": [
          "Meta"
        ],
        "summary": "This document",
        "description": "The OpenAPI description of every route of the server.",
        "security": [],
        "responses": {
          "200": {
            "description": "The document.",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          }
        }
      }
    },
    "/e/": {
      "post": {
        "operationId": "posthogE",
        "tags": [
          "PostHog"
        ],
        "summary": "PostHog: capture (/e/)",
        "description": "One PostHog event, or a batch by the body's shape; the API key is the event source's id. See docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/i/v0/e/": {
      "post": {
        "operationId": "posthogIngest",
        "tags": [
          "PostHog"
        ],
        "summary": "PostHog: capture (/i/v0/e/)",
        "description": "One PostHog event, or a batch by the body's shape; the API key is the event source's id. See docs/segment-posthog.md.",
        "security": [],
        "requestBody": {
          "required": true,
          "content": {
            "application/json": {
              "schema": {
                "type": "object"
              }
            }
          }
        },
        "responses": {
          "200": {
            "description": "The events were accepted (stored durably).",
            "content": {
              "application/json": {
                "schema": {
                  "type": "object"
                }
              }
            }
          },
          "400": {
            "description": "A message or event that does not map; the message names the JSON path, or a body that is not valid gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "401": {
            "description": "Unknown source or write key; the events are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "403": {
            "description": "The source refuses the events (disabled, wrong bridge, compliance); they are kept in the dead-letter log.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "413": {
            "description": "The body is larger than the server's limit.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "415": {
            "description": "A Content-Encoding other than gzip.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          },
          "422": {
            "description": "The body is not JSON.",
            "content": {
              "application/json": {
                "schema": {
                  "$ref": "#/components/schemas/Problem"
                }
              }
            }
          }
        }
      }
    },
    "/metrics": {
      "get": {
        "operationId": "metrics",
        "tags": [
          "Health"
        ],
        "summary": "Prometheus metrics",
        "description": "Ingest counts by bridge and reason, append and projection-wait histograms, projector lag; see docs/server.md.",
        "security": [],
        "responses": {
          "200": {
            "description": "The metrics in Prometheus's text format.",
            "content": {
              "text/plain": {
                "schema": {
                  "type": "string"
                }
              }
            }
          }
        }
      }
    }
  },
  "components": {
    "securitySchemes": {
      "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "An access token from `cairn token create NAME --role admin|auditor|reader`."
      }
    },
    "schemas": {
      "Problem": {
        "type": "object",
        "required": [
          "detail"
        ],
        "properties": {
          "detail": {
            "type": "string",
            "description": "What was wrong, naming the id, field or parameter."
          },
          "code": {
            "type": "string",
            "description": "The status's reason in snake case."
          },
          "message": {
            "type": "string",
            "description": "The detail again (Segment's clients read `message`)."
          }
        }
      },
      "Cursor": {
        "type": [
          "string",
          "null"
        ],
        "description": "Pass as `after` for the next page; null on the last page."
      },
      "Profile": {
        "type": "object",
        "description": "Tracardi's profile fields: `id`, `ids` (every id merged into it), `traits`, `pii`, `stats`, `interests`, `segments`, `consents`, `metadata.time`, `active`.",
        "required": [
          "id",
          "ids",
          "segments"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "ids": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "traits": {
            "type": "object"
          },
          "pii": {
            "type": "object"
          },
          "stats": {
            "type": "object"
          },
          "interests": {
            "type": "object"
          },
          "segments": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "consents": {
            "type": "object"
          },
          "metadata": {
            "type": "object"
          },
          "active": {
            "type": "boolean"
          }
        }
      },
      "Session": {
        "type": "object",
        "required": [
          "id"
        ],
        "properties": {
          "id": {
            "type": "string"
          },
          "profile": {
            "type": [
              "object",
              "null"
            ]
          },
          "metadata": {
            "type": "object"
          },
          "device": {
            "type": "object"
          },
          "os": {
            "type": "object"
          },
          "app": {
            "type": "object"
          },
          "utm": {
            "type": "object"
          },
          "context": {
            "type": "object"
          },
          "stats": {
            "type": "object"
          }
        }
      },
      "TrailEntry": {
        "type": "object",
        "required": [
          "offset",
          "time",
          "event"
        ],
        "properties": {
          "offset": {
            "type": "integer",
            "description": "The event's offset in the event log."
          },
          "time": {
            "type": "string",
            "format": "date-time"
          },
          "ephemeral": {
            "type": "boolean",
            "description": "True for an event from an ephemeral source: `event` holds its id only."
          },
          "event": {
            "type": "object"
          }
        }
      },
      "ConfigurationKind": {
        "enum": [
          "event-source",
          "routing-rule",
          "workflow",
          "segment",
          "consent-type",
          "compliance-rule",
          "identification-point",
          "resource",
          "destination"
        ]
      },
      "ConfigurationObject": {
        "type": "object",
        "description": "An object as in configuration files (docs/configuration.md): `kind`, `id`, `name`, `enabled` and the kind's fields.",
        "properties": {
          "kind": {
            "$ref": "#/components/schemas/ConfigurationKind"
          },
          "id": {
            "type": "string"
          },
          "name": {
            "type": "string"
          },
          "enabled": {
            "type": "boolean"
          }
        }
      },
      "ConfigurationEntry": {
        "type": "object",
        "required": [
          "kind",
          "id",
          "version",
          "action",
          "author",
          "offset",
          "object"
        ],
        "properties": {
          "kind": {
            "$ref": "#/components/schemas/ConfigurationKind"
          },
          "id": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "action": {
            "enum": [
              "create",
              "update",
              "enable",
              "disable"
            ],
            "description": "What the last change did."
          },
          "author": {
            "type": "string",
            "description": "Who made the last change (a token's name; empty from the command line)."
          },
          "offset": {
            "type": "integer",
            "description": "The event-log offset of the last change."
          },
          "object": {
            "$ref": "#/components/schemas/ConfigurationObject"
          }
        }
      },
      "ConfigurationHistoryEntry": {
        "type": "object",
        "required": [
          "offset",
          "time",
          "kind",
          "id",
          "version",
          "action",
          "author",
          "object"
        ],
        "properties": {
          "offset": {
            "type": "integer"
          },
          "time": {
            "type": "string",
            "format": "date-time"
          },
          "kind": {
            "$ref": "#/components/schemas/ConfigurationKind"
          },
          "id": {
            "type": "string"
          },
          "version": {
            "type": "integer"
          },
          "action": {
            "enum": [
              "create",
              "update",
              "delete",
              "enable",
              "disable"
            ]
          },
          "author": {
            "type": "string"
          },
          "object": {
            "oneOf": [
              {
                "$ref": "#/components/schemas/ConfigurationObject"
              },
              {
                "type": "null"
              }
            ],
            "description": "The object after the change (masked); null for a deletion."
          }
        }
      },
      "Change": {
        "type": "object",
        "description": "A change record as the projector wrote it (docs/projections.md).",
        "required": [
          "entity",
          "kind",
          "id",
          "fields",
          "offset",
          "event",
          "seq"
        ],
        "properties": {
          "entity": {
            "enum": [
              "profile",
              "session",
              "identity",
              "workflow",
              "configuration"
            ]
          },
          "kind": {
            "enum": [
              "profile.created",
              "profile.updated",
              "profile.merged",
              "session.opened",
              "session.updated",
              "session.closed",
              "identity.linked",
              "segment.entered",
              "segment.exited",
              "workflow.effect",
              "workflow.failed",
              "configuration.changed"
            ]
          },
          "id": {
            "type": "string"
          },
          "fields": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "path"
              ],
              "properties": {
                "path": {
                  "type": "string"
                },
                "before": {},
                "after": {}
              }
            }
          },
          "offset": {
            "type": "integer",
            "description": "The event-log offset of the event that caused the change."
          },
          "event": {
            "type": "string"
          },
          "seq": {
            "type": "integer"
          },
          "target": {
            "type": "string"
          }
        }
      },
      "ChangePage": {
        "type": "object",
        "required": [
          "changes",
          "next"
        ],
        "properties": {
          "changes": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "offset",
                "change"
              ],
              "properties": {
                "offset": {
                  "type": "integer",
                  "description": "The change's offset in the change log."
                },
                "change": {
                  "$ref": "#/components/schemas/Change"
                }
              }
            }
          },
          "next": {
            "type": "integer",
            "description": "The `from` of the next request."
          }
        }
      },
      "Status": {
        "type": "object",
        "required": [
          "applied",
          "event_log_end",
          "lag",
          "change_log_end",
          "dead_letters"
        ],
        "properties": {
          "applied": {
            "type": "integer",
            "description": "The next event-log offset the projector applies."
          },
          "event_log_end": {
            "type": "integer"
          },
          "lag": {
            "type": "integer",
            "description": "Events stored but not yet projected."
          },
          "change_log_end": {
            "type": "integer"
          },
          "dead_letters": {
            "type": "integer",
            "description": "Events refused at ingest, kept in the dead-letter log."
          }
        }
      },
      "TrackPayload": {
        "type": "object",
        "required": [
          "source",
          "events"
        ],
        "properties": {
          "source": {
            "type": "object",
            "required": [
              "id"
            ],
            "properties": {
              "id": {
                "type": "string"
              }
            }
          },
          "profile": {
            "type": "object",
            "properties": {
              "id": {
                "type": "string"
              }
            }
          },
          "session": {
            "type": "object",
            "properties": {
              "id": {
                "type": "string"
              }
            }
          },
          "events": {
            "type": "array",
            "items": {
              "type": "object",
              "required": [
                "type"
              ],
              "properties": {
                "type": {
                  "type": "string"
                },
                "properties": {
                  "type": "object"
                }
              }
            }
          }
        }
      },
      "TrackReply": {
        "type": "object",
        "properties": {
          "profile": {
            "type": [
              "object",
              "null"
            ]
          },
          "session": {
            "type": "object"
          },
          "events": {
            "type": "array",
            "items": {
              "type": "string"
            }
          },
          "ux": {
            "type": "array"
          },
          "response": {
            "type": "object"
          },
          "errors": {
            "type": "array"
          },
          "warnings": {
            "type": "array"
          }
        }
      }
    }
  }
}

"""##
}
