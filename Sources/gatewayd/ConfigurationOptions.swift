import ArgumentParser
import Configuration
import Gateway
import SystemPackage

/// `--config FILE`, shared by every command.
struct ConfigurationOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "A JSON configuration file (keys as in the README).")
    var file: String?

    /// The configuration: the file, then `GATEWAY_*` environment variables, then defaults.
    func reader() async throws -> ConfigReader {
        let environment = KeyMappingProvider(upstream: EnvironmentVariablesProvider()) { key in
            key.prepending(["gateway"])
        }
        var providers: [any ConfigProvider] = []
        if let file {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
        }
        providers.append(environment)
        return ConfigReader(providers: providers)
    }

    func load() async throws -> GatewayConfiguration {
        GatewayConfiguration(reader: try await reader())
    }
}
