import Contracts
import Foundation
import Testing

@Suite("Taxonomy")
struct TaxonomyTests {
    @Test func builtInTaxonomyIsTheRepositoryFile() throws {
        let file = try String(contentsOf: RepositoryFiles.url("contracts/taxonomy.xml"), encoding: .utf8)
        #expect(
            file.trimmingCharacters(in: .newlines) == EmbeddedResources.taxonomyXML.trimmingCharacters(in: .newlines),
            "run scripts/embed-resources.sh after editing contracts/"
        )
        let schema = try String(contentsOf: RepositoryFiles.url("contracts/dpa.xsd"), encoding: .utf8)
        #expect(schema.trimmingCharacters(in: .newlines) == EmbeddedResources.dpaXSD.trimmingCharacters(in: .newlines))
    }

    @Test func hasEnoughCategoriesPurposesAndSubjects() {
        let taxonomy = Taxonomy.builtIn
        #expect(taxonomy.categories.count >= 40)
        #expect(taxonomy.purposes.count >= 15)
        #expect(taxonomy.dataSubjects.count >= 5)
        for id in [
            "analytics", "marketing.advertising", "marketing.communications.email",
            "essential.service.payment_processing", "essential.fraud_detection",
            "essential.service.operations.support", "personalize",
        ] {
            #expect(taxonomy.purpose(id) != nil, "missing purpose \(id)")
        }
    }

    @Test(arguments: [
        "user.health_and_medical", "user.biometric", "user.genetic", "user.race_ethnicity",
        "user.political_opinion", "user.religious_belief", "user.sex_life", "user.trade_union_membership",
        "user.health_and_medical.diagnosis",
    ])
    func articleNineCategoriesAreSensitive(id: String) {
        #expect(Taxonomy.builtIn.isSensitive(id))
    }

    @Test func ordinaryCategoriesAreNotSensitive() {
        let taxonomy = Taxonomy.builtIn
        #expect(!taxonomy.isSensitive("user.contact.email"))
        #expect(!taxonomy.isSensitive("system.operations"))
        #expect(taxonomy.mayContainSensitive("user"))
        #expect(!taxonomy.isPersonal("system.operations"))
        #expect(taxonomy.isPersonal("user.contact.email"))
    }

    @Test func hierarchyIsBySegmentNotByPrefix() {
        #expect(DataCategory.isWithin("user.contact.email", "user.contact"))
        #expect(DataCategory.isWithin("user.contact", "user.contact"))
        #expect(!DataCategory.isWithin("user.contactless", "user.contact"))
        #expect(!DataCategory.isWithin("user.contact", "user.contact.email"))
    }

    @Test func saleOrSharingPurposesNeedConsent() {
        for purpose in Taxonomy.builtIn.purposes.values where purpose.isSaleOrSharing {
            #expect(purpose.basis == .consent, "\(purpose.id)")
        }
    }
}
