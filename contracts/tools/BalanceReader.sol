// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title BalanceReader
/// @notice Runs many view calls (ERC20 balances, pool reads) in one call, so
/// the simulator samples KPIs on a node with one round trip instead of one
/// per value.
contract BalanceReader {
    /// @notice results[i] = the return data of a static call of data[i] to targets[i]
    /// (empty when that call fails).
    function aggregate(address[] calldata targets, bytes[] calldata data)
        external
        view
        returns (bytes[] memory results)
    {
        require(targets.length == data.length, "BalanceReader: length mismatch");
        results = new bytes[](targets.length);
        for (uint256 i = 0; i < targets.length; i++) {
            (bool ok, bytes memory out) = targets[i].staticcall(data[i]);
            if (ok) {
                results[i] = out;
            }
        }
    }
}
