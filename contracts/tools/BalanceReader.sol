// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title BalanceReader
/// @notice Reads many ERC20 balances (or any view results) in one call, so
/// the simulator samples KPIs with one EVM call instead of one per value.
/// A token whose balanceOf fails reads as 0.
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

    /// @notice balances[i] = tokens[i].balanceOf(holders[i]).
    function balancesOf(address[] calldata tokens, address[] calldata holders)
        external
        view
        returns (uint256[] memory balances)
    {
        require(tokens.length == holders.length, "BalanceReader: length mismatch");
        balances = new uint256[](tokens.length);
        for (uint256 i = 0; i < tokens.length; i++) {
            (bool ok, bytes memory data) =
                tokens[i].staticcall(abi.encodeWithSelector(0x70a08231, holders[i]));
            if (ok && data.length >= 32) {
                balances[i] = abi.decode(data, (uint256));
            }
        }
    }
}
