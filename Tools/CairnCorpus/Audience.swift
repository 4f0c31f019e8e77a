/// Who visits the shop: browsers, screens, languages and the names that
/// identified profiles carry. All text is escaped for JSON up front.
enum Audience {
    enum DeviceClass: Int, Sendable {
        case desktop = 0, phone, tablet
    }

    struct Agent: Sendable {
        let userAgent: [UInt8]
        let device: DeviceClass
    }

    struct Language: Sendable {
        let code: [UInt8]
        let currency: [UInt8]
    }

    struct Name: Sendable {
        /// As displayed, escaped (may be non-ASCII).
        let display: [UInt8]
        /// Lowercase ASCII form used in e-mail addresses and logins.
        let ascii: [UInt8]
    }

    // (user agent, device class, weight)
    private static let agentRows: [(String, DeviceClass, Int)] = [
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", .desktop, 22),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36 Edg/143.0.3650.80", .desktop, 7),
        ("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:146.0) Gecko/20100101 Firefox/146.0", .desktop, 4),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Safari/605.1.15", .desktop, 7),
        ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", .desktop, 6),
        ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", .desktop, 2),
        ("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:146.0) Gecko/20100101 Firefox/146.0", .desktop, 1),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1", .phone, 20),
        ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/143.0.7499.92 Mobile/15E148 Safari/604.1", .phone, 4),
        ("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Mobile Safari/537.36", .phone, 16),
        ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/28.0 Chrome/130.0.0.0 Mobile Safari/537.36", .phone, 4),
        ("Mozilla/5.0 (iPad; CPU OS 18_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.1 Mobile/15E148 Safari/604.1", .tablet, 4),
        ("Mozilla/5.0 (Linux; Android 13; SM-X710) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/143.0.0.0 Safari/537.36", .tablet, 1),
    ]

    static let agents: [Agent] = agentRows.map { Agent(userAgent: JSONWriter.escaped($0.0), device: $0.1) }
    static let agentChoice = WeightedChoice(agentRows.map { $0.2 })

    /// Common viewport sizes (width, height) for each device class.
    static let screens: [[(width: Int, height: Int)]] = [
        [(1920, 1080), (1920, 1080), (1366, 768), (1536, 864), (2560, 1440), (1440, 900), (1280, 720), (1680, 1050)],
        [(390, 844), (393, 873), (412, 915), (375, 667), (430, 932), (360, 800), (414, 896)],
        [(820, 1180), (768, 1024), (1024, 1366), (800, 1280)],
    ]

    // (language tag, currency, weight)
    private static let languageRows: [(String, String, Int)] = [
        ("en-US", "USD", 40), ("en-GB", "GBP", 12), ("de-DE", "EUR", 14), ("fr-FR", "EUR", 10),
        ("es-ES", "EUR", 7), ("pl-PL", "PLN", 6), ("nl-NL", "EUR", 5), ("it-IT", "EUR", 3), ("sv-SE", "SEK", 3),
    ]

    static let languages: [Language] = languageRows.map {
        Language(code: JSONWriter.escaped($0.0), currency: JSONWriter.escaped($0.1))
    }
    static let languageChoice = WeightedChoice(languageRows.map { $0.2 })

    private static func names(_ rows: [(String, String)]) -> [Name] {
        rows.map { Name(display: JSONWriter.escaped($0.0), ascii: JSONWriter.escaped($0.1)) }
    }

    static let firstNames: [Name] = names([
        ("Emma", "emma"), ("Olivia", "olivia"), ("Mia", "mia"), ("Sophie", "sophie"), ("Chloé", "chloe"),
        ("Zoë", "zoe"), ("Léa", "lea"), ("Hannah", "hannah"), ("Anna", "anna"), ("Julia", "julia"),
        ("Laura", "laura"), ("Maja", "maja"), ("Ingrid", "ingrid"), ("Sofía", "sofia"), ("Amelia", "amelia"),
        ("Charlotte", "charlotte"), ("Ava", "ava"), ("Isla", "isla"), ("Freya", "freya"), ("Marta", "marta"),
        ("Noah", "noah"), ("Liam", "liam"), ("Lucas", "lucas"), ("Leon", "leon"), ("Jakub", "jakub"),
        ("Łukasz", "lukasz"), ("José", "jose"), ("Mateo", "mateo"), ("Oliver", "oliver"), ("Elias", "elias"),
        ("Finn", "finn"), ("Hugo", "hugo"), ("Jonas", "jonas"), ("Søren", "soren"), ("Matteo", "matteo"),
        ("Daniel", "daniel"), ("Thomas", "thomas"), ("Ben", "ben"), ("Arthur", "arthur"), ("Oscar", "oscar"),
    ])

    static let lastNames: [Name] = names([
        ("Smith", "smith"), ("Johnson", "johnson"), ("Müller", "mueller"), ("Schmidt", "schmidt"),
        ("García", "garcia"), ("Martínez", "martinez"), ("Nowak", "nowak"), ("Kowalski", "kowalski"),
        ("Dubois", "dubois"), ("Martin", "martin"), ("Bernard", "bernard"), ("O'Brien", "obrien"),
        ("Murphy", "murphy"), ("Jansen", "jansen"), ("de Vries", "devries"), ("Rossi", "rossi"),
        ("Bianchi", "bianchi"), ("Andersson", "andersson"), ("Johansson", "johansson"), ("Nielsen", "nielsen"),
        ("Brown", "brown"), ("Taylor", "taylor"), ("Wilson", "wilson"), ("Walker", "walker"),
        ("Fischer", "fischer"), ("Weber", "weber"), ("Lefèvre", "lefevre"), ("Kovač", "kovac"),
        ("Novák", "novak"), ("Fernández", "fernandez"), ("Silva", "silva"), ("Costa", "costa"),
        ("Lewandowski", "lewandowski"), ("Wójcik", "wojcik"), ("Hughes", "hughes"), ("Evans", "evans"),
    ])

    // (domain, weight)
    private static let domainRows: [(String, Int)] = [
        ("gmail.com", 30), ("outlook.com", 10), ("icloud.com", 8), ("yahoo.com", 6), ("web.de", 4),
        ("gmx.de", 3), ("hotmail.co.uk", 3), ("orange.fr", 3), ("wp.pl", 2), ("proton.me", 2), ("fastmail.com", 1),
    ]

    static let emailDomains: [[UInt8]] = domainRows.map { JSONWriter.escaped($0.0) }
    static let emailDomainChoice = WeightedChoice(domainRows.map { $0.1 })

    /// How an `identify` event says the visitor signed in.
    static let identifyMethods: [[UInt8]] = ["password", "password", "password", "google", "apple", "magic-link"]
        .map { JSONWriter.escaped($0) }
}
