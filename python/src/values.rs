//! Python values to ABI values and back. To the chain: an `int` is exact
//! (base units, wei), a `float` is tokens (×10^18, as in a netlist), a `str`
//! names an address (`@name`, `name`, `self`, `0x…`) or holds text, `bytes`
//! are bytes, sequences are arrays and tuples. From the chain: uints and
//! ints as `int`, addresses as checksummed `str`, bytes as `bytes`, arrays
//! as `list`, tuples as `tuple`.

use alloy_dyn_abi::{DynSolType, DynSolValue};
use alloy_primitives::{Address, FixedBytes, I256, U256};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyBytes, PyFloat, PyInt, PyList, PyString, PyTuple};
use std::str::FromStr;

/// `value` as an ABI value of type `ty`; `address_of` resolves names.
pub(crate) fn to_sol(
    value: &Bound<'_, PyAny>,
    ty: &DynSolType,
    address_of: &mut dyn FnMut(&str) -> PyResult<Address>,
) -> PyResult<DynSolValue> {
    let wrong = |what: &str| PyValueError::new_err(format!("expected {what} for {ty}, got {}", shown(value)));
    Ok(match ty {
        DynSolType::Address => {
            let text: String = value.extract().map_err(|_| wrong("an address or a name"))?;
            DynSolValue::Address(address_of(&text)?)
        }
        DynSolType::Bool => DynSolValue::Bool(value.cast::<PyBool>().map_err(|_| wrong("a bool"))?.is_true()),
        DynSolType::Uint(bits) => DynSolValue::Uint(uint(value).map_err(|e| wrong(&e))?, *bits),
        DynSolType::Int(bits) => DynSolValue::Int(int(value).map_err(|e| wrong(&e))?, *bits),
        DynSolType::String => DynSolValue::String(value.extract().map_err(|_| wrong("a str"))?),
        DynSolType::Bytes => DynSolValue::Bytes(bytes(value).map_err(|_| wrong("bytes or a 0x… str"))?),
        DynSolType::FixedBytes(size) => {
            let raw = bytes(value).map_err(|_| wrong("bytes or a 0x… str"))?;
            if raw.len() != *size {
                return Err(wrong(&format!("{size} bytes")));
            }
            let mut word = FixedBytes::<32>::ZERO;
            word[..*size].copy_from_slice(&raw);
            DynSolValue::FixedBytes(word, *size)
        }
        DynSolType::Array(inner) => DynSolValue::Array(items(value, inner, address_of)?),
        DynSolType::FixedArray(inner, size) => {
            let items = items(value, inner, address_of)?;
            if items.len() != *size {
                return Err(wrong(&format!("{size} items")));
            }
            DynSolValue::FixedArray(items)
        }
        DynSolType::Tuple(types) => {
            let parts: Vec<Bound<'_, PyAny>> = value.try_iter()?.collect::<PyResult<_>>()?;
            if parts.len() != types.len() {
                return Err(wrong(&format!("a tuple of {} items", types.len())));
            }
            let values =
                parts.iter().zip(types).map(|(v, t)| to_sol(v, t, address_of)).collect::<PyResult<_>>()?;
            DynSolValue::Tuple(values)
        }
        other => return Err(PyValueError::new_err(format!("type {other} is not supported from Python"))),
    })
}

fn items(
    value: &Bound<'_, PyAny>,
    inner: &DynSolType,
    address_of: &mut dyn FnMut(&str) -> PyResult<Address>,
) -> PyResult<Vec<DynSolValue>> {
    if value.is_instance_of::<PyString>() || value.is_instance_of::<PyBytes>() {
        return Err(PyValueError::new_err(format!("expected a list for {inner}[], got {}", shown(value))));
    }
    value.try_iter()?.map(|item| to_sol(&item?, inner, address_of)).collect()
}

fn shown(value: &Bound<'_, PyAny>) -> String {
    value.repr().map_or_else(|_| "a value".to_string(), |r| r.to_string())
}

/// An exact int, or a float of tokens.
fn uint(value: &Bound<'_, PyAny>) -> Result<U256, String> {
    if value.is_instance_of::<PyBool>() {
        return Err("a number".into());
    }
    if value.is_instance_of::<PyInt>() {
        let text = value.str().map_err(|e| e.to_string())?.to_string();
        return U256::from_str(&text).map_err(|_| format!("a uint256 (0 to 2^256-1), not {text}"));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        return tokenspice::wallet::to_base18(float.value()).map_err(|e| e.to_string());
    }
    Err("an int (base units) or a float (tokens)".into())
}

fn int(value: &Bound<'_, PyAny>) -> Result<I256, String> {
    if value.is_instance_of::<PyBool>() {
        return Err("a number".into());
    }
    if value.is_instance_of::<PyInt>() {
        let text = value.str().map_err(|e| e.to_string())?.to_string();
        return I256::from_dec_str(&text).map_err(|_| format!("an int256, not {text}"));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let magnitude = tokenspice::wallet::to_base18(float.value().abs()).map_err(|e| e.to_string())?;
        let signed = I256::try_from(magnitude).map_err(|e| e.to_string())?;
        return Ok(if float.value() < 0.0 { -signed } else { signed });
    }
    Err("an int (base units) or a float (tokens)".into())
}

fn bytes(value: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(raw) = value.cast::<PyBytes>() {
        return Ok(raw.as_bytes().to_vec());
    }
    let text: String = value.extract()?;
    let hex = text.strip_prefix("0x").unwrap_or(&text);
    alloy_primitives::hex::decode(hex).map_err(|e| PyValueError::new_err(e.to_string()))
}

/// An ABI value as a Python value.
pub(crate) fn from_sol<'py>(py: Python<'py>, value: &DynSolValue) -> PyResult<Bound<'py, PyAny>> {
    let int_of = |text: String| -> PyResult<Bound<'py, PyAny>> { py.get_type::<PyInt>().call1((text,)) };
    Ok(match value {
        DynSolValue::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        DynSolValue::Uint(u, _) => match u128::try_from(*u) {
            Ok(small) => small.into_pyobject(py)?.into_any(),
            Err(_) => int_of(u.to_string())?,
        },
        DynSolValue::Int(i, _) => match i128::try_from(*i) {
            Ok(small) => small.into_pyobject(py)?.into_any(),
            Err(_) => int_of(i.to_dec_string())?,
        },
        DynSolValue::Address(a) => PyString::new(py, &a.to_checksum(None)).into_any(),
        DynSolValue::String(s) => PyString::new(py, s).into_any(),
        DynSolValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        DynSolValue::FixedBytes(word, size) => PyBytes::new(py, &word[..*size]).into_any(),
        DynSolValue::Array(items) | DynSolValue::FixedArray(items) => {
            let items = items.iter().map(|v| from_sol(py, v)).collect::<PyResult<Vec<_>>>()?;
            PyList::new(py, items)?.into_any()
        }
        DynSolValue::Tuple(items) => {
            let items = items.iter().map(|v| from_sol(py, v)).collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, items)?.into_any()
        }
        other => PyString::new(py, &format!("{other:?}")).into_any(),
    })
}
