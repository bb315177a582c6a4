//! When a certificate expires: its `notAfter`, read from the DER with a minimal reader (the
//! verifier says whether a certificate has expired, not when a valid one will).

/// Seconds since the Unix epoch at which `cert` (DER) stops being valid; `None` if the DER
/// is not shaped as X.509 says.
pub(super) fn not_after(cert: &[u8]) -> Option<u64> {
    let (_, certificate, _) = element(cert, 0x30)?;
    let (_, tbs, _) = element(certificate, 0x30)?;
    let mut rest = tbs;
    if rest.first() == Some(&0xa0) {
        rest = element(rest, 0xa0)?.2; // version
    }
    rest = element(rest, 0x02)?.2; // serial number
    rest = element(rest, 0x30)?.2; // signature algorithm
    rest = element(rest, 0x30)?.2; // issuer
    let (_, validity, _) = element(rest, 0x30)?;
    let (tag, _, after) = any_element(validity)?; // notBefore
    let _ = tag;
    let (tag, time, _) = any_element(after)?;
    parse_time(tag, time)
}

/// The element at the start of `input`, which must have tag `tag`: (tag, contents, rest).
fn element(input: &[u8], tag: u8) -> Option<(u8, &[u8], &[u8])> {
    let found = any_element(input)?;
    (found.0 == tag).then_some(found)
}

fn any_element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let length = if first < 0x80 {
        usize::from(first)
    } else {
        let count = usize::from(first & 0x7f);
        if count == 0 || count > 4 || rest.len() < count {
            return None;
        }
        let (bytes, after) = rest.split_at(count);
        rest = after;
        bytes.iter().fold(0usize, |n, b| (n << 8) | usize::from(*b))
    };
    if rest.len() < length {
        return None;
    }
    let (contents, rest) = rest.split_at(length);
    Some((tag, contents, rest))
}

/// UTCTime (`YYMMDDHHMMSSZ`, tag 0x17) or GeneralizedTime (`YYYYMMDDHHMMSSZ`, tag 0x18).
fn parse_time(tag: u8, text: &[u8]) -> Option<u64> {
    let digits = |range: core::ops::Range<usize>| -> Option<u64> {
        let part = text.get(range)?;
        part.iter().try_fold(0u64, |n, b| {
            b.is_ascii_digit().then(|| n * 10 + u64::from(b - b'0'))
        })
    };
    let (year, at) = match tag {
        0x17 => {
            let yy = digits(0..2)?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, 2)
        }
        0x18 => (digits(0..4)?, 4),
        _ => return None,
    };
    let month = digits(at..at + 2)?;
    let day = digits(at + 2..at + 4)?;
    let hour = digits(at + 4..at + 6)?;
    let minute = digits(at + 6..at + 8)?;
    let second = digits(at + 8..at + 10)?;
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    let days = days_from_civil(year, month, day)?;
    Some(days * 86_400 + hour * 3_600 + minute * 60 + second)
}

/// Days from 1970-01-01 to a date of the proleptic Gregorian calendar (from 1970 on).
fn days_from_civil(year: u64, month: u64, day: u64) -> Option<u64> {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year / 400;
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    (era * 146_097 + day_of_era).checked_sub(719_468)
}

/// `seconds` since the epoch as `YYYY-MM-DD`.
pub(super) fn date(seconds: u64) -> std::string::String {
    let days = seconds / 86_400 + 719_468;
    let era = days / 146_097;
    let day_of_era = days - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + u64::from(month <= 2);
    std::format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::{date, days_from_civil, parse_time};

    #[test]
    fn times_and_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), Some(0));
        assert_eq!(parse_time(0x17, b"700101000000Z"), Some(0));
        assert_eq!(parse_time(0x18, b"20000301000000Z"), Some(951_868_800));
        assert_eq!(date(951_868_800), "2000-03-01");
        assert_eq!(date(1_798_675_200), "2026-12-31");
        assert_eq!(
            parse_time(0x17, b"261231000000Z").map(date).as_deref(),
            Some("2026-12-31")
        );
        assert_eq!(parse_time(0x17, b"2612310000"), None);
        assert_eq!(parse_time(0x17, b"261331000000Z"), None);
    }
}
