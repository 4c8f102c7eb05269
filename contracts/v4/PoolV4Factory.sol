// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/Clones.sol";
import "../v3/IERC20Minimal.sol";
import "./DatatokenV4.sol";
import "./PoolV4.sol";
import "./SideStaking.sol";

/// @title PoolV4Factory
/// @notice Ocean V4 / V4.1 asset creation in one call: clones a datatoken
/// and a pool from their templates, pulls the publisher's base tokens into
/// the pool, has the one-sided staking bot mint the datatoken supply and
/// seed the pool, and initialises the pool (weights schedule, fees, soft
/// cap). The factory deploys its own `SideStaking` bot, which serves every
/// asset it creates.
/// @dev The caller of `createAsset` is the publisher; it must have approved
/// this factory for `baseAmount` of the base token. The community swap fee
/// is 0.1% of the amount in when the base token is OCEAN and 0.2% otherwise
/// (Ocean V4's rate for other base tokens).
contract PoolV4Factory {
    /// Everything a publisher chooses. Fractions and weights are 18-decimal
    /// fixed point; `rate` is datatokens per base token at creation.
    struct AssetParams {
        string name;
        string symbol;
        uint256 cap;
        address baseToken;
        uint256 baseAmount; // B0, pulled from the publisher
        uint256 rate; // D0 = baseAmount * rate / 1e18
        uint256 lpFee;
        uint256 publishMarketFee;
        uint256 vestingAmount;
        uint256 vestingBlocks;
        uint256 dtStartWeight;
        uint256 baseStartWeight;
        uint256 dtEndWeight;
        uint256 baseEndWeight;
        uint256 burnInSeconds;
        uint256 softCap;
        uint256 feeSlope;
        uint256 volumeHalfLifeSeconds;
        address paymentCollector; // address(0): the publisher
        address publishMarketFeeCollector; // address(0): the payment collector
    }

    uint256 public constant COMMUNITY_SWAP_FEE_OCEAN = 1e15;
    uint256 public constant COMMUNITY_SWAP_FEE_OTHER = 2e15;

    address public immutable datatokenTemplate;
    address public immutable poolTemplate;
    address public immutable communityFeeCollector;
    address public immutable ocean;
    /// @notice The one-sided staking bot of every asset of this factory.
    address public immutable sideStaking;

    uint256 public assetCount;
    mapping(address => bool) public isPool;

    event AssetCreated(address indexed datatoken, address indexed pool, address indexed publisher);

    constructor(address datatokenTemplate_, address poolTemplate_, address communityFeeCollector_, address ocean_) {
        require(
            datatokenTemplate_ != address(0) && poolTemplate_ != address(0) && communityFeeCollector_ != address(0)
                && ocean_ != address(0),
            "PoolV4Factory: zero address"
        );
        datatokenTemplate = datatokenTemplate_;
        poolTemplate = poolTemplate_;
        communityFeeCollector = communityFeeCollector_;
        ocean = ocean_;
        sideStaking = address(new SideStaking());
    }

    /// @notice Creates a datatoken and its pool; the caller is the
    /// publisher, receives 50 pool shares and is paid for every order.
    function createAsset(AssetParams calldata p) external returns (address datatoken, address pool) {
        require(p.baseToken != address(0), "PoolV4Factory: zero address");
        datatoken = Clones.clone(datatokenTemplate);
        pool = Clones.clone(poolTemplate);
        address paymentCollector = p.paymentCollector == address(0) ? msg.sender : p.paymentCollector;

        DatatokenV4(datatoken).initialize(
            p.name, p.symbol, sideStaking, p.cap, communityFeeCollector, paymentCollector, pool
        );
        require(
            IERC20Minimal(p.baseToken).transferFrom(msg.sender, pool, p.baseAmount),
            "PoolV4Factory: base transfer failed"
        );
        uint256 datatokenAmount = SideStaking(sideStaking).newDatatokenCreated(
            datatoken, p.baseToken, pool, msg.sender, p.baseAmount, p.rate, p.vestingAmount, p.vestingBlocks
        );
        PoolV4(pool).initialize(_poolConfig(p, datatoken, datatokenAmount, paymentCollector));

        isPool[pool] = true;
        assetCount += 1;
        emit AssetCreated(datatoken, pool, msg.sender);
    }

    function _poolConfig(
        AssetParams calldata p,
        address datatoken,
        uint256 datatokenAmount,
        address paymentCollector
    ) private view returns (PoolV4.Config memory c) {
        c.datatoken = datatoken;
        c.baseToken = p.baseToken;
        c.sideStaking = sideStaking;
        c.publisher = msg.sender;
        c.communityFeeCollector = communityFeeCollector;
        c.communityFee = p.baseToken == ocean ? COMMUNITY_SWAP_FEE_OCEAN : COMMUNITY_SWAP_FEE_OTHER;
        c.publishMarketFeeCollector =
            p.publishMarketFeeCollector == address(0) ? paymentCollector : p.publishMarketFeeCollector;
        c.publishMarketFee = p.publishMarketFee;
        c.lpFee = p.lpFee;
        c.dtStartWeight = p.dtStartWeight;
        c.baseStartWeight = p.baseStartWeight;
        c.dtEndWeight = p.dtEndWeight;
        c.baseEndWeight = p.baseEndWeight;
        c.burnInSeconds = p.burnInSeconds;
        c.softCap = p.softCap;
        c.feeSlope = p.feeSlope;
        c.volumeHalfLifeSeconds = p.volumeHalfLifeSeconds;
        c.datatokenAmount = datatokenAmount;
        c.baseAmount = p.baseAmount;
    }
}
