use super::*;
use serde_json::json;

#[derive(Debug, PartialEq)]
struct Row {
    id: String,
    state: Option<i32>,
    flags: Vec<bool>,
    count: u32,
}

impl FromJson for Row {
    fn from_json(value: &Value) -> Result<Self, JsonError> {
        let o = Obj::of(value)?;
        Ok(Row {
            id: o.req("id")?,
            state: o.opt("state")?,
            flags: o.or_default("flags")?,
            count: o.or_default("count")?,
        })
    }
}

fn rows(text: &str) -> Result<Vec<Row>, String> {
    let value = parse(text).map_err(|e| e.to_string())?;
    Obj::of(&value).and_then(|o| o.req::<Vec<Row>>("value")).map_err(|e| e.to_string())
}

#[test]
fn reads_fields_with_defaults_and_ignores_extra_ones() {
    let got = rows(r#"{"value":[{"id":"a","state":1,"flags":[true],"count":2,"extra":{}},{"id":"b","state":null}]}"#);
    assert_eq!(
        got,
        Ok(vec![
            Row { id: "a".into(), state: Some(1), flags: vec![true], count: 2 },
            Row { id: "b".into(), state: None, flags: vec![], count: 0 },
        ])
    );
}

#[test]
fn errors_name_the_path_and_what_arrived() {
    let cases = [
        (r#"{"value":[{"id":"a"},{"id":"b","state":"x"}]}"#, "value[1].state: expected an integer, got a string"),
        (r#"{"value":[{"id":"a","flags":[true,3]}]}"#, "value[0].flags[1]: expected a boolean, got an integer"),
        (r#"{"value":[{"state":1}]}"#, "value[0]: missing field `id`"),
        (r#"{"value":{}}"#, "value: expected an array, got an object"),
        (r#"[]"#, "expected an object, got an array"),
        (r#"{"value":[{"id":"a","state":3000000000}]}"#, "value[0].state: 3000000000 is out of range for i32"),
        (r#"{"value":[{"id":"a","count":-1}]}"#, "value[0].count: -1 is out of range for u32"),
        (r#"{"value":[{"id":"a","count":1.5}]}"#, "value[0].count: expected an integer, got a decimal number"),
        (r#"{"value":[{"id":null}]}"#, "value[0].id: expected a string, got null"),
    ];
    for (text, want) in cases {
        assert_eq!(rows(text), Err(want.to_owned()), "{text}");
    }
}

#[test]
fn syntax_errors_say_where() {
    let err = rows(r#"{"value":[{"id":"a",}]}"#).unwrap_err();
    assert!(err.contains("line 1 column"), "{err}");
}

#[test]
fn integers_cover_their_whole_range() {
    assert_eq!(i64::from_json(&json!(i64::MIN)), Ok(i64::MIN));
    assert_eq!(u64::from_json(&json!(u64::MAX)), Ok(u64::MAX));
    assert_eq!(u8::from_json(&json!(255)), Ok(255));
    assert!(u8::from_json(&json!(256)).is_err());
    assert!(i64::from_json(&json!(u64::MAX)).is_err());
}

#[test]
fn tagged_reads_unit_and_struct_variants() {
    assert_eq!(
        tagged(&json!("Approve")).map(|(t, c)| (t.to_owned(), c.clone())),
        Ok(("Approve".to_owned(), Value::Null))
    );
    let value = json!({"SetProfile": {"id": "p"}});
    let (tag, content) = tagged(&value).unwrap();
    assert_eq!((tag, content), ("SetProfile", &json!({"id": "p"})));
    assert!(tagged(&json!({"A": 1, "B": 2})).is_err());
    assert!(tagged(&json!(3)).is_err());
    assert_eq!(unknown_variant("X", &["A", "B"]).to_string(), "unknown variant `X`, expected one of A, B");
}

#[test]
fn default_if_missing_defaults_only_a_missing_field() {
    let value = json!({"some": [true], "null": null, "wrong": 1});
    let o = Obj::of(&value).unwrap();
    assert_eq!(o.default_if_missing::<Vec<bool>>("absent"), Ok(vec![]));
    assert_eq!(o.default_if_missing::<Vec<bool>>("some"), Ok(vec![true]));
    assert_eq!(o.default_if_missing::<Vec<bool>>("null").unwrap_err().to_string(), "null: expected an array, got null");
    assert_eq!(
        o.default_if_missing::<Vec<bool>>("wrong").unwrap_err().to_string(),
        "wrong: expected an array, got an integer"
    );
    // `or_default` is the lenient one: null is the default too.
    assert_eq!(o.or_default::<Vec<bool>>("null"), Ok(vec![]));
}
