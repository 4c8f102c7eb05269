// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./Clones.sol";
import "./Datatoken.sol";

/// @title DatatokenFactory
/// @notice Creates Ocean V3 datatokens as EIP-1167 clones of a `Datatoken`
/// template. The caller becomes the token's minter; every token sends its
/// community fee to the collector fixed at factory deployment.
contract DatatokenFactory {
    address public immutable tokenTemplate;
    address public immutable communityFeeCollector;
    uint256 public tokenCount;

    event TokenCreated(address indexed token, address indexed creator, string name, string symbol, uint256 cap);

    constructor(address template_, address communityFeeCollector_) {
        require(template_ != address(0), "DatatokenFactory: template is zero address");
        require(communityFeeCollector_ != address(0), "DatatokenFactory: fee collector is zero address");
        tokenTemplate = template_;
        communityFeeCollector = communityFeeCollector_;
    }

    /// @notice Clones the template; the caller becomes the minter. No tokens
    /// are minted. Reverts with "Datatoken: cap is zero" when `cap` is 0.
    function createToken(string calldata name, string calldata symbol, uint256 cap)
        external
        returns (address token)
    {
        token = Clones.clone(tokenTemplate);
        Datatoken(token).initialize(name, symbol, msg.sender, cap, communityFeeCollector);
        tokenCount += 1;
        emit TokenCreated(token, msg.sender, name, symbol, cap);
    }
}
