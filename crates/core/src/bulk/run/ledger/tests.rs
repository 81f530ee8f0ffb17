use super::header_thousandths;
use crate::http::Response;

fn with(value: &str) -> Response {
    Response { status: 200, headers: vec![("x-n".into(), value.into())], body: String::new() }
}

#[test]
fn header_numbers_are_read_in_thousandths_without_float_parsing() {
    let read = |v: &str| header_thousandths(&with(v), "x-n");
    assert_eq!(read("1,199.5"), Some(1_199_500));
    assert_eq!(read(" 42 "), Some(42_000));
    assert_eq!(read("0.0456"), Some(45));
    assert_eq!(read(".5"), Some(500));
    assert_eq!(read("-3.2"), Some(0));
    for bad in ["", ".", "abc", "1e3", "1.2.3", "--1"] {
        assert_eq!(read(bad), None, "{bad:?}");
    }
    assert_eq!(header_thousandths(&with("7"), "other"), None);
}
