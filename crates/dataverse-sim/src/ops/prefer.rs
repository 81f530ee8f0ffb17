//! The `Prefer` request header (§9.1, §9.3, §9.4).

/// Parsed preferences.
#[derive(Debug, Clone, Default)]
pub(crate) struct Prefer {
    pub(crate) max_page_size: Option<usize>,
    /// Annotation patterns from `odata.include-annotations`.
    pub(crate) annotations: Vec<String>,
    pub(crate) annotations_raw: Option<String>,
    pub(crate) return_representation: bool,
    pub(crate) continue_on_error: bool,
}

/// Splits on commas outside double quotes.
fn split(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for ch in s.chars() {
        match ch {
            '"' => {
                quoted = !quoted;
                cur.push(ch);
            }
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            _ => cur.push(ch),
        }
    }
    out.push(cur);
    out.into_iter().map(|p| p.trim().to_string()).filter(|p| !p.is_empty()).collect()
}

impl Prefer {
    pub(crate) fn parse<'a>(values: impl Iterator<Item = &'a str>) -> Prefer {
        let mut p = Prefer::default();
        for v in values {
            for item in split(v) {
                let (k, val) = match item.split_once('=') {
                    Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().trim_matches('"').to_string()),
                    None => (item.to_ascii_lowercase(), String::new()),
                };
                match k.as_str() {
                    "odata.maxpagesize" => p.max_page_size = val.parse().ok(),
                    "odata.include-annotations" => {
                        p.annotations = val.split(',').map(|a| a.trim().to_string()).collect();
                        p.annotations_raw = Some(val);
                    }
                    "return" => p.return_representation = val.eq_ignore_ascii_case("representation"),
                    "odata.continue-on-error" => p.continue_on_error = true,
                    _ => {}
                }
            }
        }
        p
    }

    /// Whether the annotation `name` (e.g. `OData.Community.Display.V1.FormattedValue`) was asked for.
    pub(crate) fn wants(&self, name: &str) -> bool {
        self.annotations.iter().any(|a| {
            a == "*"
                || a.eq_ignore_ascii_case(name)
                || a.strip_suffix('*').is_some_and(|pre| name.starts_with(pre))
        })
    }
}
