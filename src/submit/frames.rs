//! Frame ranges checked as the Manager's frame chunker reads them: comma-separated frames and
//! ranges `a-b` (Blender's `a..b` too), spaces around the numbers allowed. Its chunker takes no
//! negative frames (the dash is the range's), no empty parts, no more than one dash per part. A range
//! that ends before it starts gives it no frames; here that is called out as the mistake it is.

/// More frames than this in one job is refused: a typo like `1-1000000` must not create a million
/// tasks.
pub const MAX_FRAMES: u64 = 100_000;

/// The frames of a valid range, sorted and without duplicates; a message naming the problem.
pub fn check_frames(range: &str) -> Result<Vec<i64>, String> {
    let range = range.trim();
    if range.is_empty() {
        return Err("Type the frames to render, e.g. 1-250 or 1, 5, 10-20.".into());
    }
    let normal = range.replace("..", "-");
    let mut frames = std::collections::BTreeSet::new();
    let mut count: u64 = 0;
    for part in normal.split(',') {
        let (start, end) = bounds(part.trim())?;
        if end < start {
            return Err(format!("\"{}\" ends before it starts: write {end}-{start}.", part.trim()));
        }
        count += end.abs_diff(start) + 1;
        if count > MAX_FRAMES {
            return Err(format!("That is more than {MAX_FRAMES} frames for one job."));
        }
        frames.extend(start..=end);
    }
    Ok(frames.into_iter().collect())
}

/// The first and last frame of one comma-separated part.
fn bounds(part: &str) -> Result<(i64, i64), String> {
    if part.is_empty() {
        return Err("There is an empty part between commas.".into());
    }
    let pieces: Vec<&str> = part.split('-').collect();
    match pieces.as_slice() {
        [single] => number(single).map(|frame| (frame, frame)),
        [start, _] if start.trim().is_empty() => Err(format!(
            "\"{part}\": negative frames are not accepted by the Manager (a dash separates a range)."
        )),
        [_, end] if end.trim().is_empty() => Err(format!("\"{part}\" has no last frame.")),
        [start, end] => Ok((number(start)?, number(end)?)),
        _ => Err(format!("\"{part}\" has more than one dash; a range is written first-last.")),
    }
}

fn number(text: &str) -> Result<i64, String> {
    let text = text.trim();
    // The chunker reads 64-bit numbers; frames are Blender's 32-bit ones.
    text.parse::<i32>().map(i64::from).map_err(|_| format!("\"{text}\" is not a frame number."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_single_frames_and_spaces() {
        assert_eq!(check_frames("1-3").unwrap(), [1, 2, 3]);
        assert_eq!(check_frames(" 3, 5-7 ,47 ").unwrap(), [3, 5, 6, 7, 47]);
        assert_eq!(check_frames("1..3").unwrap(), [1, 2, 3], "Blender's notation");
        assert_eq!(check_frames("2-4,1-3").unwrap(), [1, 2, 3, 4], "overlaps count once");
        assert_eq!(check_frames("0").unwrap(), [0]);
        assert_eq!(check_frames("1 - 2").unwrap(), [1, 2]);
        assert_eq!(check_frames("+5").unwrap(), [5], "Go's ParseInt takes a plus sign");
    }

    #[test]
    fn what_the_chunker_refuses_is_named() {
        let message = |range: &str| check_frames(range).unwrap_err();
        assert!(message("").contains("Type the frames"));
        assert!(message("1,,3").contains("empty part"));
        assert!(message("1,").contains("empty part"));
        assert!(message("1-5-9").contains("more than one dash"));
        assert!(message("-5").contains("negative"));
        assert!(message("5-").contains("no last frame"));
        assert!(message("a-b").contains("\"a\" is not a frame number"));
        assert!(message("1.5").contains("\"1.5\" is not a frame number"));
        assert!(message("10-1").contains("write 1-10"));
        assert!(message("1-1000000").contains("more than 100000 frames"));
        assert!(message("1-60000,60001-120000").contains("more than"));
        assert!(message("99999999999").contains("not a frame number"));
    }
}
