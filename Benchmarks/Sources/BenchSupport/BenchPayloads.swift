/// Request bodies for the benchmarks and the load test.
public enum BenchPayloads {
    /// One event record (15 fields, about 560 bytes), for subject `subject`.
    ///
    /// `subject` is put in as is, so a template such as `u-{{n}}` can be filled in per request by `loadgen`.
    public static func eventRecord(subject: String, index: Int = 0) -> String {
        let octet = index % 250 + 1
        return """
            {"user_id":"\(subject)","email":"customer.\(index)@mail.example.com","phone":"+49 30 5550\(String(format4: index % 10_000))",\
            "ip":"203.0.113.\(octet)","birth_date":"1987-06-\(String(format2: index % 28 + 1))","postal_code":"10115",\
            "city":"Berlin","country":"DE","page":"/products/espresso-machines/barista-pro-2000?color=steel&ref=home",\
            "referrer":"https://www.search.example/search?q=espresso+machine+dual+boiler",\
            "user_agent":"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",\
            "device_id":"5f0c2a9e-3b1d-4c7e-9a55-\(String(format12: index))","card_number":"4111111111111111",\
            "event":"page_view","ts":"2026-11-30T10:15:30Z"}
            """
    }

    /// `{"events":[...],"batch_id":"..."}` with one record per subject.
    public static func eventsBody(subjects: [String], firstIndex: Int = 0) -> String {
        var records: [String] = []
        records.reserveCapacity(subjects.count)
        for (offset, subject) in subjects.enumerated() {
            records.append(eventRecord(subject: subject, index: firstIndex + offset))
        }
        return "{\"events\":[" + records.joined(separator: ",") + "],\"batch_id\":\"batch-\(firstIndex)\"}"
    }

    /// One profile record (20 fields), for `POST /profile`.
    public static func profileRecord(subject: String, index: Int = 0) -> String {
        var record = eventRecord(subject: subject, index: index)
        record.removeLast()  // the closing brace
        record += """
            ,"language":"de-DE","first_name":"Alice","last_name":"Example","gender":"female",\
            "diagnosis":"none recorded"}
            """
        return record
    }

    /// A consent line for `gatewayd consents import`: `subject` grants `purpose` to `vendor`.
    public static func consentLine(
        subject: String,
        purpose: String = "analytics",
        vendor: String = "bench",
        status: String = "granted",
        categories: [String] = [],
        givenAt: String = "2026-11-01T10:00:00Z",
        source: String = "cmp:bench"
    ) -> String {
        let list = categories.map { "\"\($0)\"" }.joined(separator: ",")
        return """
            {"subject":"\(subject)","purpose":"\(purpose)","vendor":"\(vendor)","status":"\(status)",\
            "categories":[\(list)],"givenAt":"\(givenAt)","source":"\(source)","evidence":"rcpt-\(subject)"}
            """
    }
}

extension String {
    init(format2 value: Int) { self = Self.padded(value, 2) }
    init(format4 value: Int) { self = Self.padded(value, 4) }
    init(format12 value: Int) { self = Self.padded(value % 1_000_000_000_000, 12) }

    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
