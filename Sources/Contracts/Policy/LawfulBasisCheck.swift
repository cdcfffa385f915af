/// Step 2 of the decision: does a subject have a lawful basis for the purpose with this vendor?
///
/// The records that apply are the subject's current records (the latest for each vendor key) for the purpose,
/// for this vendor and for all vendors (`*`). Expired grants are set aside. Of the rest, the most recent expression of the subject's
/// will decides (a withdrawal wins a tie): a later `*` withdrawal overrides an earlier grant for the vendor,
/// and a later grant for the vendor overrides an earlier `*` withdrawal.
enum LawfulBasisCheck {
    enum Outcome {
        case allowed(ConsentRecord?)
        case refused(RecordReason, ConsentRecord?)
    }

    static func evaluate(
        basis: LawfulBasis,
        purpose: Purpose,
        vendor: String,
        globalPrivacyControl: Bool,
        consents: [ConsentRecord],
        now: Timestamp
    ) -> Outcome {
        // The current state per (purpose, vendor): the latest record, whatever it says.
        var forVendor: ConsentRecord?
        var forAll: ConsentRecord?
        for record in consents where record.purpose.isBytewiseEqual(to: purpose.id) {
            if record.vendor.isBytewiseEqual(to: vendor) {
                if forVendor.map({ record.supersedes($0) }) ?? true { forVendor = record }
            } else if record.vendor.isBytewiseEqual(to: ConsentRecord.allVendors) {
                if forAll.map({ record.supersedes($0) }) ?? true { forAll = record }
            }
        }
        var decisive: ConsentRecord?
        var sawExpired: ConsentRecord?
        for record in [forVendor, forAll].compactMap({ $0 }) {
            if record.status == .granted, record.isExpired(at: now) {
                if sawExpired == nil || sawExpired!.givenAt < record.givenAt { sawExpired = record }
                continue
            }
            if decisive.map({ record.supersedes($0) }) ?? true {
                decisive = record
            }
        }
        if globalPrivacyControl && purpose.isSaleOrSharing {
            return .refused(.gpcOptOut, nil)
        }
        switch basis {
        case .consent:
            guard let decisive else {
                return sawExpired.map { .refused(.consentExpired, $0) } ?? .refused(.consentMissing, nil)
            }
            if decisive.status == .withdrawn { return .refused(.consentWithdrawn, decisive) }
            return .allowed(decisive)
        default:
            if let decisive, decisive.status == .withdrawn { return .refused(.objection, decisive) }
            return .allowed(nil)
        }
    }
}
