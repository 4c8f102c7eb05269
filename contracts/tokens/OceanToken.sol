// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./ERC20.sol";

/// @title OceanToken
/// @notice Simulation OCEAN: an ERC20 whose single minter (the chain's god
/// account) creates supply on demand. The minter can hand over the role.
contract OceanToken is ERC20 {
    address public minter;

    event MinterChanged(address indexed previous, address indexed next);

    constructor(address initialMinter) {
        require(initialMinter != address(0), "OceanToken: zero minter");
        _name = "Ocean Token";
        _symbol = "OCEAN";
        minter = initialMinter;
    }

    function mint(address to, uint256 amount) external {
        require(msg.sender == minter, "OceanToken: caller is not the minter");
        _mint(to, amount);
    }

    function burn(uint256 amount) external {
        _burn(msg.sender, amount);
    }

    function setMinter(address next) external {
        require(msg.sender == minter, "OceanToken: caller is not the minter");
        require(next != address(0), "OceanToken: zero minter");
        emit MinterChanged(minter, next);
        minter = next;
    }
}
