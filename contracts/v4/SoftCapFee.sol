// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/BalancerMath.sol";

/// @title SoftCapFee
/// @notice The "soft cap on vol:consume" part of Ocean V4.1: a pool's LP swap
/// fee rises when its trailing swap volume outgrows its trailing consume
/// volume, so that the datatoken price stays tied to real consumption.
/// @dev Both volumes are in base-token units. The pool adds to them with
/// `_recordVolume` (a swap's base-side amount, or one order's value).
///
/// Trailing volume: every stored volume decays with half-life H =
/// `volumeHalfLifeSeconds`: v(t) = v(t0) * 2^(-(t - t0)/H). With
/// (t - t0)/H = n + x, n whole and x in [0, 1), the factor is computed as
///   (v >> n) * q(x),  q(x) = 1 - A*x + B*x^2,
///   A = 3.5 - 2*sqrt(2) ~ 0.67157, B = 3 - 2*sqrt(2) ~ 0.17157,
/// the quadratic through 2^-x at x = 0, 1/2 and 1 (q(1) = 1/2 exactly, so
/// the decay is continuous and decreasing; the largest relative error is
/// about 0.3%, near x = 1/4 and x = 3/4). H = 0 means no decay: the volumes
/// are running totals.
///
/// Effective LP fee, with sv, cv the decayed volumes, softCap the cap on
/// sv/cv and feeSlope the slope (both 18-decimal fixed point):
///   fee = baseFee * (1 + feeSlope * max(0, (sv/cv)/softCap - 1)),
/// capped at MAX_FEE (10%). It is evaluated as
///   capVolume = cv * softCap / ONE      (swap volume at which the cap binds)
///   excess    = (sv - capVolume) * ONE / capVolume   if sv > capVolume
///   fee       = min(MAX_FEE, baseFee + bmul(bmul(baseFee, feeSlope), excess))
/// With no consumption (capVolume = 0) any swap volume gives MAX_FEE.
/// softCap = 0 or feeSlope = 0 disables the cap: fee = baseFee (Ocean V4).
abstract contract SoftCapFee is BalancerMath {
    /// Largest accepted soft cap on swap volume / consume volume.
    uint256 public constant MAX_SOFT_CAP = ONE * 1e12;
    /// Largest accepted fee slope.
    uint256 public constant MAX_FEE_SLOPE = ONE * 1e6;

    /// Coefficients of q(x) = 1 - A*x + B*x^2 (see the contract notes).
    uint256 private constant DECAY_A = 671572875253809902;
    uint256 private constant DECAY_B = 171572875253809902;

    uint256 private _baseFee;
    uint256 private _softCap;
    uint256 private _feeSlope;
    uint256 private _halfLife;

    uint256 private _swapVolume;
    uint256 private _consumeVolume;
    uint256 private _volumeUpdatedAt;

    function _initSoftCapFee(uint256 baseFee, uint256 softCap, uint256 feeSlope, uint256 halfLifeSeconds)
        internal
    {
        require(baseFee >= MIN_FEE, "ERR_MIN_FEE");
        require(baseFee <= MAX_FEE, "ERR_MAX_FEE");
        require(softCap <= MAX_SOFT_CAP, "ERR_MAX_SOFT_CAP");
        require(feeSlope <= MAX_FEE_SLOPE, "ERR_MAX_FEE_SLOPE");
        _baseFee = baseFee;
        _softCap = softCap;
        _feeSlope = feeSlope;
        _halfLife = halfLifeSeconds;
        _volumeUpdatedAt = block.timestamp;
    }

    /// @dev Decays both volumes to now, then adds `swapAmount` and
    /// `consumeAmount` (base-token units).
    function _recordVolume(uint256 swapAmount, uint256 consumeAmount) internal {
        uint256 elapsed = block.timestamp - _volumeUpdatedAt;
        _swapVolume = decayVolume(_swapVolume, elapsed) + swapAmount;
        _consumeVolume = decayVolume(_consumeVolume, elapsed) + consumeAmount;
        _volumeUpdatedAt = block.timestamp;
    }

    /// @dev The effective LP fee now (before the current transaction's volume).
    function _currentFee() internal view returns (uint256) {
        return _feeFor(swapVolume(), consumeVolume());
    }

    // ---------------------------------------------------------------------
    // Views
    // ---------------------------------------------------------------------

    /// @notice `amount` decayed over `elapsed` seconds with this pool's
    /// half-life, by the approximation in the contract notes.
    function decayVolume(uint256 amount, uint256 elapsed) public view returns (uint256) {
        uint256 halfLife = _halfLife;
        if (halfLife == 0 || elapsed == 0 || amount == 0) {
            return amount;
        }
        uint256 halvings = elapsed / halfLife;
        if (halvings >= 256) {
            return 0;
        }
        uint256 x = ((elapsed % halfLife) * ONE) / halfLife;
        uint256 q = ONE + (((DECAY_B * x) / ONE) * x) / ONE - (DECAY_A * x) / ONE;
        return ((amount >> halvings) * q) / ONE;
    }

    /// @notice Trailing swap volume (base-token units), decayed to now.
    function swapVolume() public view returns (uint256) {
        return decayVolume(_swapVolume, block.timestamp - _volumeUpdatedAt);
    }

    /// @notice Trailing consume volume (base-token units), decayed to now.
    function consumeVolume() public view returns (uint256) {
        return decayVolume(_consumeVolume, block.timestamp - _volumeUpdatedAt);
    }

    /// @notice swapVolume / consumeVolume in 18-decimal fixed point;
    /// type(uint256).max when there is swap volume but no consume volume,
    /// 0 when there is neither.
    function volumeRatio() external view returns (uint256) {
        uint256 sv = swapVolume();
        uint256 cv = consumeVolume();
        if (cv == 0) {
            return sv == 0 ? 0 : type(uint256).max;
        }
        if (sv > type(uint256).max / ONE) {
            return type(uint256).max;
        }
        return (sv * ONE) / cv;
    }

    /// @notice The effective LP swap fee now.
    function currentSwapFee() external view returns (uint256) {
        return _currentFee();
    }

    /// @notice The fee parameters: base LP fee, soft cap, fee slope, half-life.
    function getSoftCapParams()
        external
        view
        returns (uint256 baseFee, uint256 softCap, uint256 feeSlope, uint256 volumeHalfLifeSeconds)
    {
        return (_baseFee, _softCap, _feeSlope, _halfLife);
    }

    // ---------------------------------------------------------------------
    // Internals
    // ---------------------------------------------------------------------

    function _feeFor(uint256 sv, uint256 cv) private view returns (uint256) {
        uint256 baseFee = _baseFee;
        uint256 softCap = _softCap;
        uint256 slope = bmul(baseFee, _feeSlope); // fee added per unit of excess
        if (softCap == 0 || slope == 0) {
            return baseFee;
        }
        uint256 capVolume = (cv * softCap) / ONE;
        if (sv <= capVolume) {
            return baseFee;
        }
        if (capVolume == 0 || sv - capVolume > type(uint256).max / ONE) {
            return MAX_FEE;
        }
        uint256 excess = ((sv - capVolume) * ONE) / capVolume;
        // The fee reaches MAX_FEE at excess = (MAX_FEE - baseFee) / slope;
        // testing that first keeps bmul(slope, excess) from overflowing.
        if (excess >= bdiv(MAX_FEE - baseFee, slope)) {
            return MAX_FEE;
        }
        uint256 fee = baseFee + bmul(slope, excess);
        return fee < MAX_FEE ? fee : MAX_FEE;
    }
}
