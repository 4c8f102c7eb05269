// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../tokens/ERC20.sol";

/// @title ReserveToken
/// @notice A plain ERC20 for example netlists: the deployer receives the
/// initial supply and may mint more later (to fund agents mid-run).
contract ReserveToken is ERC20 {
    /// @notice The deployer, the only account allowed to mint.
    address public immutable owner;

    /// @notice A caller other than the owner tried to mint.
    error NotOwner(address caller);

    /// @param name_ Token name.
    /// @param symbol_ Token symbol.
    /// @param initialSupply Base units (18 decimals) minted to the deployer.
    constructor(string memory name_, string memory symbol_, uint256 initialSupply) {
        _name = name_;
        _symbol = symbol_;
        owner = msg.sender;
        if (initialSupply > 0) {
            _mint(msg.sender, initialSupply);
        }
    }

    /// @notice Create `amount` base units for `to`; owner only.
    function mint(address to, uint256 amount) external {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _mint(to, amount);
    }
}
