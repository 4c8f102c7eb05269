// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title Clones
/// @notice Creates EIP-1167 minimal proxies: 45-byte contracts that forward
/// every call, by DELEGATECALL, to a fixed implementation (the template).
/// Used by `PoolFactory` and `DatatokenFactory`.
library Clones {
    /// @notice Deploys a minimal proxy of `implementation` with CREATE.
    /// @dev Creation code (55 bytes) = 10-byte init code that returns the
    /// 45-byte runtime, and the runtime itself:
    ///   3d602d80600a3d3981f3                 init: copy runtime, return it
    ///   363d3d373d3d3d363d73 <20-byte addr>   runtime: copy calldata, push addr
    ///   5af43d82803e903d91602b57fd5bf3        delegatecall, return or revert
    function clone(address implementation) internal returns (address instance) {
        require(implementation.code.length != 0, "Clones: template has no code");
        bytes memory creationCode = abi.encodePacked(
            hex"3d602d80600a3d3981f3363d3d373d3d3d363d73",
            implementation,
            hex"5af43d82803e903d91602b57fd5bf3"
        );
        assembly ("memory-safe") {
            instance := create(0, add(creationCode, 0x20), mload(creationCode))
        }
        require(instance != address(0), "Clones: create failed");
    }
}
