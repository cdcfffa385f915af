/// A GDPR Art. 6(1) lawful basis for a purpose.
public enum LawfulBasis: String, Sendable, Hashable, CaseIterable {
    case consent
    case contract
    case legitimateInterest = "legitimate_interest"
    case legalObligation = "legal_obligation"
    case vitalInterests = "vital_interests"
    case publicTask = "public_task"
}
