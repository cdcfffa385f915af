/// The agreement the benchmarks and the load test share: a realistic analytics DPA with two operations.
///
/// - `POST /events`: a batch (`$.events[*]`), 15 mapped fields per record plus `$.batch_id`; the load test's
///   (a), (b) and (c) bodies.
/// - `POST /profile`: one record of 20 mapped fields (`$.…`); the policy micro-benchmark.
///
/// Of the mapped fields some leave as they are, some are hashed, masked or generalised, some are removed
/// (a prohibited category, categories the contract does not grant).
public enum BenchAgreement {
    /// The agreement's XML for `vendorID`, sending to `baseURL` (https).
    public static func xml(
        vendorID: String = "bench",
        agreementID: String? = nil,
        version: Int = 1,
        baseURL: String = "https://api.bench.example/v1",
        credential: String? = "bench-api-key",
        service: String = "checkout"
    ) -> String {
        let credentialAttribute = credential.map { " credential=\"\($0)\"" } ?? ""
        return """
            <?xml version="1.0" encoding="UTF-8"?>
            <agreement xmlns="urn:vendor-gateway:dpa:1" id="\(agreementID ?? vendorID + "-analytics")" version="\(version)">
              <vendor id="\(vendorID)" name="Bench Analytics \(vendorID)" country="DE" contact="privacy@bench.example"/>
              <term effective="2026-01-01" expires="2030-12-31"/>
              <vetting assessedOn="2025-11-20" riskTier="medium">
                <certification>ISO27001</certification>
              </vetting>
              <processing>
                <purpose ref="analytics" basis="consent">
                  <category ref="user.unique_id.pseudonymous"/>
                  <category ref="user.contact.email" transform="hash"/>
                  <category ref="user.contact.phone_number" transform="mask"/>
                  <category ref="user.device.ip_address" transform="generalize"/>
                  <category ref="user.demographic.date_of_birth" transform="generalize"/>
                  <category ref="user.contact.address.postal_code" transform="generalize"/>
                  <category ref="user.contact.address.city"/>
                  <category ref="user.contact.address.country"/>
                  <category ref="user.behavior.browsing_history"/>
                  <category ref="user.device.user_agent"/>
                  <category ref="user.device.device_id" transform="hash"/>
                  <category ref="user.demographic.language"/>
                </purpose>
                <purpose ref="essential.fraud_detection" basis="legitimate_interest">
                  <category ref="user.device.ip_address" transform="generalize"/>
                </purpose>
                <prohibited ref="user.financial"/>
                <prohibited ref="user.health_and_medical"/>
              </processing>
              <retention days="90"/>
              <transfers><region>EU</region></transfers>
              <subprocessors>
                <subprocessor name="CloudHost Inc" country="US" service="hosting"/>
              </subprocessors>
              <breachNotification hours="24" contact="security@bench.example"/>
              <endpoint baseURL="\(baseURL)"\(credentialAttribute)>
                <allowedService>\(service)</allowedService>
              </endpoint>
              <dataMap>
                <operation method="POST" path="/events" records="$.events[*]" subject="@.user_id">
            \(eventFields.map { "      <field path=\"@.\($0.name)\" category=\"\($0.category)\"/>" }.joined(separator: "\n"))
                  <field path="$.batch_id" category="system.operations"/>
                </operation>
                <operation method="POST" path="/profile" subject="$.user_id">
            \(profileFields.map { "      <field path=\"$.\($0.name)\" category=\"\($0.category)\"/>" }.joined(separator: "\n"))
                </operation>
              </dataMap>
            </agreement>

            """
    }

    /// The 15 fields of an event record, with their categories.
    public static let eventFields: [(name: String, category: String)] = [
        ("user_id", "user.unique_id.pseudonymous"),  // sent
        ("email", "user.contact.email"),  // hash
        ("phone", "user.contact.phone_number"),  // mask
        ("ip", "user.device.ip_address"),  // generalize
        ("birth_date", "user.demographic.date_of_birth"),  // generalize
        ("postal_code", "user.contact.address.postal_code"),  // generalize
        ("city", "user.contact.address.city"),  // sent
        ("country", "user.contact.address.country"),  // sent
        ("page", "user.behavior.browsing_history"),  // sent
        ("referrer", "user.behavior.browsing_history"),  // sent
        ("user_agent", "user.device.user_agent"),  // sent
        ("device_id", "user.device.device_id"),  // hash
        ("card_number", "user.financial.credit_card"),  // removed: prohibited
        ("event", "system.operations"),  // sent: non-personal
        ("ts", "system.operations"),  // sent: non-personal
    ]

    /// The 20 fields of a profile record: the event's 15 and five more.
    public static let profileFields: [(name: String, category: String)] =
        eventFields + [
            ("language", "user.demographic.language"),  // sent
            ("first_name", "user.name.first"),  // removed: not in the contract
            ("last_name", "user.name.last"),  // removed: not in the contract
            ("gender", "user.demographic.gender"),  // removed: not in the contract
            ("diagnosis", "user.health_and_medical.diagnosis"),  // removed: prohibited
        ]
}
