extension EventPlan {
    /// Draws the kind-specific parts of the event — which page, which
    /// product, what goes into the cart or the order — and updates the
    /// visit's own state (last product, cart) to match.
    mutating func chooseDetails(session: inout Session, using random: inout SeededGenerator) {
        switch kind {
        case .pageView:
            if landing, session.origin == .direct, random.chance(1, in: 2) {
                page = 0  // the home page
            } else if random.chance(2, in: 5) {
                let viewed = Catalog.popularProduct(using: &random)
                session.lastProduct = viewed
                page = Catalog.products[viewed].page
            } else {
                page = Catalog.sitePageChoice.pick(using: &random)
            }
        case .productView:
            product = Catalog.popularProduct(using: &random)
            session.lastProduct = product
            page = Catalog.products[product].page
        case .addToCart:
            if session.lastProduct >= 0, random.chance(3, in: 4) {
                product = session.lastProduct
            } else {
                product = Catalog.popularProduct(using: &random)
            }
            quantity = random.chance(17, in: 20) ? 1 : random.int(in: 2...3)
            if let line = session.cart.firstIndex(where: { $0.product == product }) {
                session.cart[line].quantity += quantity
            } else if session.cart.count < 6 {
                session.cart.append(Session.CartLine(product: product, quantity: quantity))
            }
            cartLines = session.cart.count
            page = Catalog.products[product].page
        case .identify:
            page = random.chance(3, in: 4) ? Catalog.loginPage : Catalog.checkoutPage
            method = random.int(below: Audience.identifyMethods.count)
        case .purchase:
            if session.cart.isEmpty {
                // A quick "buy now" without using the cart.
                let count = random.chance(1, in: 3) ? random.int(in: 2...3) : 1
                for _ in 0..<count {
                    let bought = Catalog.popularProduct(using: &random)
                    if !items.contains(where: { $0.product == bought }) {
                        items.append(Session.CartLine(product: bought, quantity: 1))
                    }
                }
            } else {
                items = session.cart
                session.cart = []
            }
            orderNumber = random.next()
            payment = random.int(below: EventPlan.paymentMethods.count)
            page = Catalog.confirmationPage
        }
    }
}
