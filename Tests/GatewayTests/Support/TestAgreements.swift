import Foundation

/// Agreements for integration tests; `VENDOR_PORT` is replaced by the test vendor's port.
enum TestAgreements {
    /// DESIGN's example, pointed at the local test vendor.
    static let acme = """
        <?xml version="1.0" encoding="UTF-8"?>
        <agreement xmlns="urn:vendor-gateway:dpa:1" id="acme-analytics" version="3">
          <vendor id="acme" name="Acme Analytics GmbH" country="DE" contact="privacy@acme.example"/>
          <term effective="2026-01-01" expires="2027-12-31"/>
          <vetting assessedOn="2025-11-20" riskTier="medium">
            <certification>ISO27001</certification>
          </vetting>
          <processing>
            <purpose ref="analytics" basis="consent">
              <category ref="user.unique_id.pseudonymous"/>
              <category ref="user.behavior.browsing_history"/>
              <category ref="user.contact.email" transform="hash"/>
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
          <breachNotification hours="24" contact="security@acme.example"/>
          <endpoint baseURL="https://127.0.0.1:VENDOR_PORT/v2" credential="acme-api-key">
            <allowedService>demo-service</allowedService>
            <allowedService>checkout</allowedService>
          </endpoint>
          <dataMap>
            <operation method="POST" path="/events" records="$.events[*]" subject="@.user_id">
              <field path="@.user_id" category="user.unique_id.pseudonymous"/>
              <field path="@.email" category="user.contact.email"/>
              <field path="@.page" category="user.behavior.browsing_history"/>
              <field path="@.card_number" category="user.financial.credit_card"/>
              <field path="@.ip" category="user.device.ip_address"/>
              <field path="$.batch_id" category="system.operations"/>
              <query name="campaign" category="system.operations"/>
            </operation>
            <operation method="POST" path="/identify" subject="$.user_id">
              <field path="$.user_id" category="user.unique_id.pseudonymous"/>
              <field path="$.email" category="user.contact.email"/>
              <field path="$.page" category="user.behavior.browsing_history"/>
            </operation>
            <operation method="GET" path="/lookup">
              <query name="campaign" category="system.operations"/>
            </operation>
          </dataMap>
        </agreement>
        """

    /// The same vendor with an expired term.
    static let acmeExpired = acme.replacingOccurrences(of: #"expires="2027-12-31""#, with: #"expires="2026-06-30""#)
}

extension TestAgreements {
    /// A one-operation agreement for vendor `id` at `https://HOST:VENDOR_PORT`.
    static func minimal(vendor id: String, host: String = "127.0.0.1") -> String {
        """
        <?xml version="1.0" encoding="UTF-8"?>
        <agreement xmlns="urn:vendor-gateway:dpa:1" id="\(id)-dpa" version="1">
          <vendor id="\(id)" name="\(id) Ltd" country="GB" contact="privacy@\(id).example"/>
          <term effective="2026-01-01" expires="2027-12-31"/>
          <vetting assessedOn="2025-11-20" riskTier="low"/>
          <processing>
            <purpose ref="analytics" basis="consent">
              <category ref="user.unique_id.pseudonymous"/>
            </purpose>
          </processing>
          <retention days="30"/>
          <transfers><region>EU</region></transfers>
          <subprocessors/>
          <breachNotification hours="24" contact="security@\(id).example"/>
          <endpoint baseURL="https://\(host):VENDOR_PORT">
            <allowedService>demo-service</allowedService>
          </endpoint>
          <dataMap>
            <operation method="POST" path="/track" subject="$.user_id">
              <field path="$.user_id" category="user.unique_id.pseudonymous"/>
            </operation>
          </dataMap>
        </agreement>
        """
    }
}
