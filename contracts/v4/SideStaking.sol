// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "./DatatokenV4.sol";

/// @title SideStaking
/// @notice Ocean V4's one-sided staking bot ("1SS"), with V4.1's vested
/// premine. One bot serves every datatoken of its factory, keyed by
/// datatoken. For each asset it:
///  - mints the datatoken's whole cap to itself (it is the minter);
///  - seeds the pool with D0 = rate * B0 datatokens next to the publisher's
///    B0 base tokens, and receives half of the 100 initial pool shares;
///  - mirrors every base-side stake: for a stake of `a` base into a pool
///    holding B base and D datatokens the pool asks it for D*a/B datatokens
///    (`stakeDatatokens`), and mints it the same number of shares as the
///    staker; on unstaking the pool burns its matching shares and sends the
///    datatokens back (see `PoolV4`);
///  - holds the publisher's premine of `vestingAmount` datatokens, which
///    vests linearly over `vestingBlocks` blocks from the asset's creation;
///    `claimVesting` pays what has vested to the publisher.
/// @dev Deployed by `PoolV4Factory`'s constructor, so `factory` is fixed and
/// only that factory can register assets. Datatokens reserved for vesting
/// (vestingAmount - vestingClaimed) are never lent to the pool.
/// Vesting with vestingBlocks = 0 vests everything at once; Ocean V4 as
/// deployed had vesting switched off (vestingAmount = 0).
contract SideStaking {
    struct Asset {
        address pool;
        address baseToken;
        address publisher;
        uint256 seedDatatokens; // D0, sent to the pool at creation
        uint256 vestingAmount;
        uint256 vestingClaimed;
        uint256 vestingStartBlock;
        uint256 vestingBlocks;
    }

    uint256 private constant ONE = 1e18;

    /// @notice The only address that can register assets.
    address public immutable factory;

    mapping(address => Asset) private _assets;

    event AssetRegistered(
        address indexed datatoken,
        address indexed pool,
        address indexed publisher,
        uint256 baseAmount,
        uint256 datatokenAmount,
        uint256 vestingAmount,
        uint256 vestingBlocks
    );
    event DatatokensStaked(address indexed datatoken, address indexed pool, uint256 amount);
    event VestingClaimed(address indexed datatoken, address indexed publisher, uint256 amount);

    constructor() {
        factory = msg.sender;
    }

    /// @notice Registers a new asset: mints the datatoken's cap to the bot
    /// and sends the pool its seed D0 = baseAmount * rate / 1e18 datatokens
    /// (`rate` is datatokens per base token, 18-decimal fixed point).
    /// @dev The factory has already sent the pool the publisher's
    /// `baseAmount`; it initialises the pool afterwards with both amounts.
    function newDatatokenCreated(
        address datatoken,
        address baseToken,
        address pool,
        address publisher,
        uint256 baseAmount,
        uint256 rate,
        uint256 vestingAmount,
        uint256 vestingBlocks
    ) external returns (uint256 datatokenAmount) {
        require(msg.sender == factory, "SideStaking: not factory");
        require(pool != address(0) && publisher != address(0), "SideStaking: zero address");
        require(_assets[datatoken].pool == address(0), "SideStaking: already registered");

        uint256 supply = DatatokenV4(datatoken).cap();
        datatokenAmount = (baseAmount * rate) / ONE;
        require(datatokenAmount > 0, "SideStaking: zero seed");
        require(datatokenAmount + vestingAmount <= supply, "SideStaking: cap below seed plus vesting");

        _assets[datatoken] = Asset({
            pool: pool,
            baseToken: baseToken,
            publisher: publisher,
            seedDatatokens: datatokenAmount,
            vestingAmount: vestingAmount,
            vestingClaimed: 0,
            vestingStartBlock: block.number,
            vestingBlocks: vestingBlocks
        });

        DatatokenV4(datatoken).mint(address(this), supply);
        require(DatatokenV4(datatoken).transfer(pool, datatokenAmount), "SideStaking: transfer failed");

        emit AssetRegistered(datatoken, pool, publisher, baseAmount, datatokenAmount, vestingAmount, vestingBlocks);
    }

    /// @notice The asset's pool takes `amount` datatokens to mirror a
    /// base-side stake. Reverts if the bot's free reserve is too small.
    function stakeDatatokens(address datatoken, uint256 amount) external {
        require(msg.sender == _assets[datatoken].pool, "SideStaking: not the pool");
        require(amount <= datatokenReserve(datatoken), "SideStaking: not enough datatokens");
        require(DatatokenV4(datatoken).transfer(msg.sender, amount), "SideStaking: transfer failed");
        emit DatatokensStaked(datatoken, msg.sender, amount);
    }

    /// @notice Pays the publisher everything vested and not yet claimed;
    /// anyone may call (the tokens only ever go to the publisher). Returns
    /// the amount paid, 0 when nothing is due.
    function claimVesting(address datatoken) external returns (uint256 amount) {
        amount = availableVesting(datatoken);
        if (amount == 0) {
            return 0;
        }
        Asset storage asset = _assets[datatoken];
        asset.vestingClaimed += amount;
        require(DatatokenV4(datatoken).transfer(asset.publisher, amount), "SideStaking: transfer failed");
        emit VestingClaimed(datatoken, asset.publisher, amount);
    }

    // ---------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------

    /// @notice Premine vested so far:
    /// vestingAmount * min(block.number - start, vestingBlocks) / vestingBlocks.
    function vestedAmount(address datatoken) public view returns (uint256) {
        Asset storage asset = _assets[datatoken];
        uint256 total = asset.vestingAmount;
        uint256 blocks = asset.vestingBlocks;
        uint256 elapsed = block.number - asset.vestingStartBlock;
        if (total == 0 || elapsed >= blocks) {
            return total;
        }
        return (total * elapsed) / blocks;
    }

    /// @notice Vested and not yet claimed.
    function availableVesting(address datatoken) public view returns (uint256) {
        return vestedAmount(datatoken) - _assets[datatoken].vestingClaimed;
    }

    /// @notice Datatokens the bot can still lend to the pool: its balance
    /// minus the premine not yet claimed.
    function datatokenReserve(address datatoken) public view returns (uint256) {
        Asset storage asset = _assets[datatoken];
        if (asset.pool == address(0)) {
            return 0;
        }
        uint256 held = DatatokenV4(datatoken).balanceOf(address(this));
        uint256 reserved = asset.vestingAmount - asset.vestingClaimed;
        return held > reserved ? held - reserved : 0;
    }

    function getPool(address datatoken) external view returns (address) {
        return _assets[datatoken].pool;
    }

    function getPublisher(address datatoken) external view returns (address) {
        return _assets[datatoken].publisher;
    }

    function getBaseToken(address datatoken) external view returns (address) {
        return _assets[datatoken].baseToken;
    }

    /// @notice D0, the datatokens the bot seeded the pool with.
    function getSeedDatatokens(address datatoken) external view returns (uint256) {
        return _assets[datatoken].seedDatatokens;
    }

    /// @notice The vesting terms and progress of an asset.
    function getVesting(address datatoken)
        external
        view
        returns (uint256 amount, uint256 claimed, uint256 startBlock, uint256 blocks)
    {
        Asset storage asset = _assets[datatoken];
        return (asset.vestingAmount, asset.vestingClaimed, asset.vestingStartBlock, asset.vestingBlocks);
    }
}
