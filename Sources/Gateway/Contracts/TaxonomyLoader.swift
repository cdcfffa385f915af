import Contracts
import Foundation

/// Finds the taxonomy: `taxonomy.xml` in the contracts directory when present, else the built-in one.
public enum TaxonomyLoader {
    public static func load(contractsDirectory: String) throws -> Taxonomy {
        let path = contractsDirectory + "/taxonomy.xml"
        guard FileManager.default.fileExists(atPath: path) else { return .builtIn }
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
        return try Taxonomy(xml: bytes)
    }
}
