//! The bearer transport: renewal before expiry, on a 401, single-flight, and sign-in prompts.

use super::*;

fn join2<A: Future, B: Future>(a: A, b: B) -> (A::Output, B::Output) {
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    let mut cx = Context::from_waker(Waker::noop());
    while ra.is_none() || rb.is_none() {
        if ra.is_none()
            && let Poll::Ready(v) = a.as_mut().poll(&mut cx)
        {
            ra = Some(v);
        }
        if rb.is_none()
            && let Poll::Ready(v) = b.as_mut().poll(&mut cx)
        {
            rb = Some(v);
        }
    }
    (ra.unwrap(), rb.unwrap())
}

/// A token server: access tokens `a<n>`, refresh tokens `r<n>` rotated on use; the API accepts only
/// the newest access token and refuses refresh tokens in `revoked`.
struct Server {
    issued: RefCell<u32>,
    revoked: RefCell<Vec<String>>,
}

fn server_fake(server: Rc<Server>) -> Fake {
    Fake::new(move |r| {
        if r.path.ends_with("/token") {
            let body = r.body.clone().unwrap_or_default();
            let old = body.split('&').find_map(|kv| kv.strip_prefix("refresh_token=")).unwrap_or("").to_owned();
            let current = format!("r{}", server.issued.borrow());
            if old != current || server.revoked.borrow().contains(&old) {
                return response(400, &error_json("invalid_grant", "AADSTS9002313: revoked", &[9_002_313]));
            }
            *server.issued.borrow_mut() += 1;
            let n = server.issued.borrow();
            return response(200, &tokens_json(&format!("a{n}"), Some(&format!("r{n}")), ""));
        }
        let newest = format!("Bearer a{}", server.issued.borrow());
        let ok = r.headers.iter().any(|(n, v)| n == "Authorization" && *v == newest);
        response(if ok { 200 } else { 401 }, "{}")
    })
}

fn signed_in(now: Rc<Cell<i64>>, fake: Fake) -> BearerTransport<Fake, impl Fn() -> Timestamp> {
    let t = BearerTransport::new(fake, config(), move || Timestamp(now.get()));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a0", Some("r0"), "")), Timestamp(0)).unwrap());
    t
}

#[test]
fn requests_carry_the_bearer_token_and_no_refresh_happens_while_it_is_fresh() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(100));
    let t = signed_in(now, server_fake(server));
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["WhoAmI Bearer a0"]);
}

#[test]
fn a_token_about_to_expire_is_renewed_silently_before_the_request() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(0));
    let t = signed_in(now.clone(), server_fake(server));
    now.set(3_400);
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["token refresh_token=r0", "WhoAmI Bearer a1"]);
    assert_eq!(t.state().tokens().unwrap().expires_at, Timestamp(3_400 + 3_599));
}

#[test]
fn a_401_renews_once_and_retries_once() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let t = BearerTransport::new(server_fake(server), config(), || Timestamp(10));
    // A token the org no longer accepts although it has not expired yet (e.g. revoked sessions).
    t.sign_in(parse_token_response(&response(200, &tokens_json("stale", Some("r0"), "")), Timestamp(0)).unwrap());
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(t.inner().paths(), ["WhoAmI Bearer stale", "token refresh_token=r0", "WhoAmI Bearer a1"]);
}

#[test]
fn a_revoked_refresh_token_returns_the_401_and_asks_for_sign_in() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(vec!["r0".into()]) });
    let changes = Rc::new(RefCell::new(Vec::new()));
    let seen = changes.clone();
    let t = BearerTransport::new(server_fake(server), config(), || Timestamp(10)).on_change(move |s| {
        seen.borrow_mut().push(match s {
            SignInState::SignedOut => "signed out".to_owned(),
            SignInState::SignedIn(_) => "signed in".to_owned(),
            SignInState::SignInRequired(e) => {
                format!("sign-in required: {}", format!("{e:?}").split('(').next().unwrap())
            }
        })
    });
    t.sign_in(parse_token_response(&response(200, &tokens_json("stale", Some("r0"), "")), Timestamp(0)).unwrap());
    let r = block_on(t.send(Request::get("WhoAmI"))).unwrap();
    assert_eq!(r.status, 401, "the org's own answer is passed on");
    assert_eq!(*changes.borrow(), ["signed in", "sign-in required: Revoked"]);
    let next = block_on(t.send(Request::get("WhoAmI")));
    assert_eq!(next, Err(TransportError::Unavailable(SIGN_IN_REQUIRED.to_owned())));
    assert_eq!(
        t.inner().paths(),
        ["WhoAmI Bearer stale", "token refresh_token=r0"],
        "nothing is sent once sign-in is required"
    );
}

#[test]
fn concurrent_requests_with_a_stale_token_share_one_refresh() {
    let server = Rc::new(Server { issued: RefCell::new(0), revoked: RefCell::new(Vec::new()) });
    let now = Rc::new(Cell::new(0));
    let t = signed_in(now.clone(), server_fake(server));
    now.set(3_500);
    let (a, b) = join2(t.send(Request::get("WhoAmI")), t.send(Request::get("organizations")));
    assert_eq!((a.unwrap().status, b.unwrap().status), (200, 200));
    let paths = t.inner().paths();
    assert_eq!(paths.iter().filter(|p| p.starts_with("token")).count(), 1, "{paths:?}");
    assert_eq!(paths.len(), 3, "{paths:?}");
}

#[test]
fn a_sign_in_without_a_refresh_token_cannot_be_renewed_and_says_so() {
    let t = BearerTransport::new(Fake::new(|_| response(401, "{}")), config(), || Timestamp(10));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a", None, "")), Timestamp(0)).unwrap());
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))).unwrap().status, 401);
    assert!(matches!(t.state(), SignInState::SignInRequired(OAuthError::Expired(_))));
}

#[test]
fn a_network_failure_during_renewal_keeps_the_tokens() {
    struct Down;
    impl Transport for Down {
        async fn send(&self, _: Request) -> Result<Response, TransportError> {
            Err(TransportError::Network("offline".into()))
        }
    }
    let t = BearerTransport::new(Down, config(), || Timestamp(3_500));
    t.sign_in(parse_token_response(&response(200, &tokens_json("a", Some("r"), "")), Timestamp(0)).unwrap());
    assert_eq!(block_on(t.refresh()), Err(OAuthError::Transport(TransportError::Network("offline".into()))));
    assert!(t.state().tokens().is_some());
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))), Err(TransportError::Network("offline".into())));
}

#[test]
fn signed_out_transports_send_nothing() {
    let fake = Fake::new(|_| response(200, "{}"));
    let t = BearerTransport::new(fake, config(), || Timestamp(0));
    assert_eq!(block_on(t.send(Request::get("WhoAmI"))), Err(TransportError::Unavailable(SIGN_IN_REQUIRED.into())));
    assert!(t.inner().sent.borrow().is_empty());
    assert_eq!(block_on(t.refresh()), Err(OAuthError::NotSignedIn));
}
