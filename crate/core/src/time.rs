//! ISO 8601 timestamps (UTC, milliseconds) without a date library.

/// `ms` since the epoch as `YYYY-MM-DDTHH:MM:SS.sssZ`; out-of-range or
/// non-finite values clamp to the epoch's range the format can hold.
pub fn format_iso(ms: f64) -> String {
    let ms = if ms.is_finite() {
        ms.clamp(0.0, 253_402_300_799_999.0) as i64
    } else {
        0
    };
    let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let (y, m, d) = civil_from_days(days);
    let (h, min, s, milli) = (
        rem / 3_600_000,
        rem / 60_000 % 60,
        rem / 1000 % 60,
        rem % 1000,
    );
    format!("{y:04}-{m:02}-{d:02}T{h:02}:{min:02}:{s:02}.{milli:03}Z")
}

/// Reads what [`format_iso`] writes, and the other ISO 8601 times HAR
/// writers put in `startedDateTime`: any number of fraction digits (kept to
/// the millisecond), and a `±HH:MM` offset instead of `Z` (Firefox writes
/// local time with its offset).
pub fn parse_iso(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b[4] != b'-' || b[7] != b'-' || b[10] != b'T' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, se) = (num(11..13)?, num(14..16)?, num(17..19)?);
    // The zone: `Z`, or `+HH:MM` / `-HH:MM` at the end.
    let (zone_at, offset_min) = if s.ends_with('Z') {
        (s.len() - 1, 0)
    } else {
        let at = s.len().checked_sub(6)?;
        let sign = match b[at] {
            b'+' => 1,
            b'-' => -1,
            _ => return None,
        };
        if at < 19 || b[at + 3] != b':' {
            return None;
        }
        let (oh, om) = (num(at + 1..at + 3)?, num(at + 4..at + 6)?);
        if oh > 23 || om > 59 {
            return None;
        }
        (at, sign * (oh * 60 + om))
    };
    let milli = match &s[19..zone_at] {
        "" => 0,
        frac if frac.starts_with('.') && frac.len() >= 2 => {
            let digits = &frac[1..frac.len().min(4)];
            num(20..20 + frac.len() - 1)?;
            let v = num(20..20 + digits.len())?;
            v * 10i64.pow(3 - digits.len() as u32)
        }
        _ => return None,
    };
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || se > 60 {
        return None;
    }
    let days = days_from_civil(y, mo, d);
    let local = days * 86_400_000 + h * 3_600_000 + mi * 60_000 + se * 1000 + milli;
    Some((local - offset_min * 60_000) as f64)
}

// Howard Hinnant's algorithms (public domain), proleptic Gregorian calendar.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_known_values() {
        assert_eq!(format_iso(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(format_iso(1_700_000_000_123.9), "2023-11-14T22:13:20.123Z");
        assert_eq!(format_iso(951_782_400_000.0), "2000-02-29T00:00:00.000Z");
        assert_eq!(format_iso(f64::NAN), "1970-01-01T00:00:00.000Z");
        for ms in [
            0.0,
            951_782_400_000.0,
            1_700_000_000_123.0,
            4_102_444_799_999.0,
        ] {
            assert_eq!(parse_iso(&format_iso(ms)), Some(ms));
        }
        assert_eq!(parse_iso("2023-11-14T22:13:20Z"), Some(1_700_000_000_000.0));
        assert_eq!(
            parse_iso("2023-11-14T22:13:20.5Z"),
            Some(1_700_000_000_500.0)
        );
        for bad in [
            "",
            "yesterday",
            "2023-13-14T22:13:20Z",
            "2023-11-14 22:13:20Z",
            "２０23-11-14T22:13:20Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20+0100",
            "2023-11-14T22:13:20+25:00",
            "2023-11-14T22:13:20.12x4Z",
        ] {
            assert_eq!(parse_iso(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_the_zones_and_fractions_har_writers_use() {
        for (text, ms) in [
            // Firefox: local time with its offset.
            ("2023-11-14T23:13:20.123+01:00", 1_700_000_000_123.0),
            ("2023-11-14T16:43:20.123-05:30", 1_700_000_000_123.0),
            ("2023-11-14T22:13:20+00:00", 1_700_000_000_000.0),
            // Microseconds, kept to the millisecond.
            ("2023-11-14T22:13:20.123456Z", 1_700_000_000_123.0),
            ("2023-11-14T22:13:20.1234Z", 1_700_000_000_123.0),
        ] {
            assert_eq!(parse_iso(text), Some(ms), "{text}");
        }
    }
}
