// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

/// @title BalanceReader
/// @notice Reads many ERC20 balances in one call, so the simulator samples
/// KPIs with one EVM call per agent instead of one per (token, holder) pair.
/// A token whose balanceOf fails reads as 0.
contract BalanceReader {
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
