// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.20;

import "../v3/BalancerMath.sol";

/// @title BurnInWeights
/// @notice The "Dutch:Pool" part of Ocean V4.1: the weights of a two-token
/// (datatoken, base token) pool as a function of time. During the burn-in the
/// weights move linearly from (dtStartWeight, baseStartWeight) to
/// (dtEndWeight, baseEndWeight); afterwards they stay at the end weights.
/// Starting DT-heavy makes the datatoken start expensive and its price fall
/// (at constant balances) until buyers meet it, as in a liquidity
/// bootstrapping pool.
/// @dev Nothing is written after initialisation: every price and swap reads
/// `_weights()`, which depends only on `block.timestamp`. Within one block the
/// weights are constant, so the Balancer post-swap checks still hold.
///
/// Schedule, with e = block.timestamp - start and T = burnInSeconds:
///   w(e) = wStart + (wEnd - wStart) * e / T   for e < T (integer division,
///          rounded towards wStart, so w stays between wStart and wEnd),
///   w(e) = wEnd                              for e >= T (and always when T = 0).
/// Ocean V4 as deployed: T = 0 and equal end weights (50/50); the start
/// weights are then checked but never used.
abstract contract BurnInWeights is BalancerMath {
    uint256 private _dtStartWeight;
    uint256 private _baseStartWeight;
    uint256 private _dtEndWeight;
    uint256 private _baseEndWeight;
    uint256 private _burnInStart;
    uint256 private _burnInSeconds;

    /// @dev Stores the schedule; the burn-in starts now. Both weight pairs
    /// must satisfy the Balancer limits (each in [MIN_WEIGHT, MAX_WEIGHT],
    /// sum <= MAX_TOTAL_WEIGHT), hence so does every point in between.
    function _initWeights(
        uint256 dtStartWeight,
        uint256 baseStartWeight,
        uint256 dtEndWeight,
        uint256 baseEndWeight,
        uint256 burnInSeconds
    ) internal {
        _checkWeights(dtStartWeight, baseStartWeight);
        _checkWeights(dtEndWeight, baseEndWeight);
        _dtStartWeight = dtStartWeight;
        _baseStartWeight = baseStartWeight;
        _dtEndWeight = dtEndWeight;
        _baseEndWeight = baseEndWeight;
        _burnInStart = block.timestamp;
        _burnInSeconds = burnInSeconds;
    }

    /// @dev Current denormalised weights (datatoken, base token).
    function _weights() internal view returns (uint256 dtWeight, uint256 baseWeight) {
        uint256 elapsed = block.timestamp - _burnInStart;
        uint256 duration = _burnInSeconds;
        if (elapsed >= duration) {
            return (_dtEndWeight, _baseEndWeight);
        }
        dtWeight = _lerp(_dtStartWeight, _dtEndWeight, elapsed, duration);
        baseWeight = _lerp(_baseStartWeight, _baseEndWeight, elapsed, duration);
    }

    /// @notice The whole schedule: start and end weights (denormalised), the
    /// burn-in start (a timestamp) and its length in seconds.
    function getWeightSchedule()
        external
        view
        returns (
            uint256 dtStartWeight,
            uint256 baseStartWeight,
            uint256 dtEndWeight,
            uint256 baseEndWeight,
            uint256 burnInStart,
            uint256 burnInSeconds
        )
    {
        return (_dtStartWeight, _baseStartWeight, _dtEndWeight, _baseEndWeight, _burnInStart, _burnInSeconds);
    }

    function _checkWeights(uint256 dtWeight, uint256 baseWeight) private pure {
        require(dtWeight >= MIN_WEIGHT && baseWeight >= MIN_WEIGHT, "ERR_MIN_WEIGHT");
        require(dtWeight <= MAX_WEIGHT && baseWeight <= MAX_WEIGHT, "ERR_MAX_WEIGHT");
        require(dtWeight + baseWeight <= MAX_TOTAL_WEIGHT, "ERR_MAX_TOTAL_WEIGHT");
    }

    /// @dev from + (to - from) * num / den, rounded towards `from`.
    function _lerp(uint256 from, uint256 to, uint256 num, uint256 den) private pure returns (uint256) {
        if (to >= from) {
            return from + ((to - from) * num) / den;
        }
        return from - ((from - to) * num) / den;
    }
}
