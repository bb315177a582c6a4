//! The `grpc-timeout` header: at most 8 ASCII digits followed by a unit letter.

use alloc::string::String;
use core::time::Duration;

/// The largest value the header may carry.
const MAX_VALUE: u128 = 99_999_999;

/// Units from finest to coarsest, with their length in nanoseconds.
const UNITS: [(char, u128); 6] = [
    ('n', 1),
    ('u', 1_000),
    ('m', 1_000_000),
    ('S', 1_000_000_000),
    ('M', 60 * 1_000_000_000),
    ('H', 3_600 * 1_000_000_000),
];

/// Encode `timeout` as a `grpc-timeout` value, e.g. `"30000m"` or `"100n"`.
///
/// Picks the finest unit whose value fits in 8 digits, rounding up so the server never sees
/// a shorter deadline than the caller asked for. Durations beyond 99,999,999 hours are
/// capped at that.
pub fn encode_timeout(timeout: Duration) -> String {
    let nanos = timeout.as_nanos();
    for (unit, size) in UNITS {
        let value = nanos.div_ceil(size);
        if value <= MAX_VALUE {
            return digits_and_unit(value, unit);
        }
    }
    digits_and_unit(MAX_VALUE, 'H')
}

/// `value` (at most 8 digits) in decimal followed by `unit`, in one exact allocation.
fn digits_and_unit(value: u128, unit: char) -> String {
    let mut digits = [0u8; 8];
    let mut rest = u32::try_from(value.min(MAX_VALUE)).unwrap_or(0);
    let mut start = digits.len();
    loop {
        start -= 1;
        // `rest % 10` is a single decimal digit.
        digits[start] = b'0' + (rest % 10) as u8;
        rest /= 10;
        if rest == 0 {
            break;
        }
    }
    let mut out = String::with_capacity(digits.len() - start + 1);
    for &digit in &digits[start..] {
        out.push(char::from(digit));
    }
    out.push(unit);
    out
}

/// Decode a `grpc-timeout` value. `None` unless it is 1 to 8 digits and a known unit.
pub fn decode_timeout(value: &str) -> Option<Duration> {
    let unit = value.chars().last()?;
    let digits = &value[..value.len() - unit.len_utf8()];
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let number: u64 = digits.parse().ok()?;
    Some(match unit {
        'n' => Duration::from_nanos(number),
        'u' => Duration::from_micros(number),
        'm' => Duration::from_millis(number),
        'S' => Duration::from_secs(number),
        'M' => Duration::from_secs(number * 60),
        'H' => Duration::from_secs(number * 3_600),
        _ => return None,
    })
}
