/// The fictional web shop the corpus visitors browse: its pages and products.
///
/// All text is escaped for JSON once, when the tables are first used.
/// Product pages follow the site pages in ``pages``, so a page is always
/// just an index.
enum Catalog {
    /// The site's origin, prefixed to every path to form page URLs.
    static let origin: [UInt8] = Array("https://shop.cairn.example".utf8)

    struct Page: Sendable {
        /// Path and query, escaped, e.g. `/c/running`.
        let path: [UInt8]
        /// Whether ``path`` already has a query string (`?`).
        let hasQuery: Bool
        /// The document title, escaped.
        let title: [UInt8]
        /// A coarse page type, e.g. `catalog`, `product`, `checkout`.
        let section: [UInt8]
    }

    struct Product: Sendable {
        let sku: [UInt8]
        let name: [UInt8]
        let category: [UInt8]
        /// Price in cents.
        let price: Int
        /// Index of the product's own page in ``Catalog/pages``.
        let page: Int
    }

    private static let categories = ["Running", "Hiking", "Climbing", "Camping", "Cycling", "Accessories"]

    // (name, category index, price in cents)
    private static let productRows: [(String, Int, Int)] = [
        ("Tempo Road Running Shoe", 0, 12999), ("Ridgeline Trail Running Shoe", 0, 14499),
        ("Featherlight Running Jacket", 0, 8999), ("Merino Running Tee – Women's", 0, 5499),
        ("Split-Seam 5\" Running Shorts", 0, 4499), ("Hydration Vest 8L", 0, 10999),
        ("Reflective Running Cap", 0, 2499), ("Compression Calf Sleeves", 0, 3499),
        ("Cascade Mid Waterproof Hiking Boot", 1, 18999), ("Switchback Hiking Pants – Men's", 1, 7999),
        ("Alpine Shell Rain Jacket", 1, 24999), ("Carbon Trekking Poles (Pair)", 1, 11999),
        ("Ridge 28L Daypack", 1, 9999), ("Merino Hiking Socks 3-Pack", 1, 3999),
        ("Sun Hoodie UPF 50+", 1, 5999), ("Waterproof Map Case", 1, 1999),
        ("Granite Climbing Harness", 2, 6999), ("Edge Pro Climbing Shoe", 2, 15999),
        ("Dynamic Rope 9.8mm × 60m", 2, 21999), ("Chalk Bag & Brush Kit", 2, 2999),
        ("Locking Carabiner HMS", 2, 1499), ("Belay Device with Guide Mode", 2, 3999),
        ("Vent Climbing Helmet", 2, 7999), ("Quickdraw Set (6)", 2, 10999),
        ("Basecamp 2-Person Tent", 3, 32999), ("Down Sleeping Bag −5°C", 3, 27999),
        ("Inflatable Sleeping Pad R4.2", 3, 12999), ("Titanium Cook Pot 750ml", 3, 4999),
        ("Micro Canister Stove", 3, 5999), ("Headlamp 400 Lumen", 3, 3999),
        ("Ultralight Camp Chair", 3, 8999), ("Squeeze Water Filter", 3, 3999),
        ("Gravel Bike Helmet MIPS", 4, 12999), ("Bikepacking Frame Bag 4L", 4, 6999),
        ("Cycling Jersey – Café Edition", 4, 7499), ("Padded Bib Shorts", 4, 9999),
        ("Mini Pump with Gauge", 4, 2999), ("USB-C Bike Light Set", 4, 4999),
        ("Gel Cycling Gloves", 4, 2999), ("Multi-Tool 18-in-1", 4, 3499),
        ("Insulated Bottle 1L", 5, 3499), ("Merino Beanie", 5, 2999),
        ("Neck Gaiter", 5, 1999), ("Roll-Top Dry Bag 20L", 5, 2499),
        ("Polarized Sunglasses", 5, 8999), ("Hiker First Aid Kit", 5, 2999),
        ("Gift Card", 5, 5000), ("Gear Repair Tape Kit", 5, 999),
    ]

    // (path, title, section, weight for a random page view)
    private static let siteRows: [(String, String, String, Int)] = [
        ("/", "Cairn Outfitters – Outdoor Gear for Every Trail", "home", 20),
        ("/c/running", "Running Shoes & Apparel | Cairn Outfitters", "catalog", 5),
        ("/c/hiking", "Hiking Boots, Packs & Clothing | Cairn Outfitters", "catalog", 5),
        ("/c/climbing", "Climbing Gear | Cairn Outfitters", "catalog", 4),
        ("/c/camping", "Tents, Sleeping Bags & Camp Kitchen | Cairn Outfitters", "catalog", 5),
        ("/c/cycling", "Cycling & Bikepacking | Cairn Outfitters", "catalog", 4),
        ("/c/accessories", "Accessories | Cairn Outfitters", "catalog", 3),
        ("/sale", "Winter Sale – Up to 40% Off | Cairn Outfitters", "promo", 4),
        ("/new-arrivals", "New Arrivals | Cairn Outfitters", "catalog", 3),
        ("/search?q=waterproof+jacket", "Search results for \"waterproof jacket\" | Cairn Outfitters", "search", 2),
        ("/search?q=trail+shoes", "Search results for \"trail shoes\" | Cairn Outfitters", "search", 2),
        ("/search?q=tent&sort=price_asc", "Search results for \"tent\" | Cairn Outfitters", "search", 1),
        ("/blog/how-to-choose-hiking-boots", "How to Choose Hiking Boots: A Complete Guide", "content", 2),
        ("/blog/layering-101", "Layering 101: Staying Warm on the Mountain", "content", 1),
        ("/blog/bikepacking-packing-list", "The Ultimate Bikepacking Packing List", "content", 1),
        ("/cart", "Your Cart | Cairn Outfitters", "checkout", 4),
        ("/checkout", "Checkout | Cairn Outfitters", "checkout", 2),
        ("/account", "My Account | Cairn Outfitters", "account", 2),
        ("/account/login", "Sign In | Cairn Outfitters", "account", 2),
        ("/help/shipping-returns", "Shipping & Returns | Cairn Outfitters", "support", 1),
        ("/stores", "Find a Store | Cairn Outfitters", "support", 1),
        ("/checkout/confirmation", "Order Confirmed | Cairn Outfitters", "checkout", 0),
    ]

    /// Site pages first, then one page per product.
    static let pages: [Page] = {
        var result = siteRows.map { row in
            Page(path: JSONWriter.escaped(row.0), hasQuery: row.0.contains("?"),
                 title: JSONWriter.escaped(row.1), section: JSONWriter.escaped(row.2))
        }
        for row in productRows {
            let path = "/p/" + slug(row.0)
            result.append(Page(path: JSONWriter.escaped(path), hasQuery: false,
                               title: JSONWriter.escaped(row.0 + " | Cairn Outfitters"),
                               section: JSONWriter.escaped("product")))
        }
        return result
    }()

    static let products: [Product] = productRows.enumerated().map { index, row in
        Product(sku: JSONWriter.escaped("CO-\(10_001 + index * 37)"), name: JSONWriter.escaped(row.0),
                category: JSONWriter.escaped(categories[row.1]), price: row.2,
                page: siteRows.count + index)
    }

    /// Skewed draw of products: a few bestsellers, a long tail.
    private static let productRanks = ZipfSampler(count: productRows.count, offset: 3)

    /// Draws a product index, favouring the bestsellers. Ranks are spread
    /// over the catalog (19 is coprime to its size) so the bestsellers come
    /// from every category.
    static func popularProduct(using random: inout SeededGenerator) -> Int {
        productRanks.sample(using: &random) * 19 % productRows.count
    }

    /// Chooses a site page (not a product page) for a plain page view.
    static let sitePageChoice = WeightedChoice(siteRows.map { $0.3 })

    /// Pages that particular events happen on.
    static let cartPage = index(of: "/cart")
    static let checkoutPage = index(of: "/checkout")
    static let confirmationPage = index(of: "/checkout/confirmation")
    static let loginPage = index(of: "/account/login")
    static let accountPage = index(of: "/account")

    private static func index(of path: String) -> Int {
        guard let found = siteRows.firstIndex(where: { $0.0 == path }) else {
            preconditionFailure("no site page \(path)")
        }
        return found
    }

    /// A URL slug: lowercase ASCII letters and digits separated by single dashes.
    static func slug(_ text: String) -> String {
        var out = ""
        var pendingDash = false
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                if pendingDash, !out.isEmpty { out.append("-") }
                pendingDash = false
                out.unicodeScalars.append(contentsOf: String(scalar).lowercased().unicodeScalars)
            } else {
                pendingDash = true
            }
        }
        return out
    }
}
