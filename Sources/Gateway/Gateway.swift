import Contracts
public enum GatewayModule {}
