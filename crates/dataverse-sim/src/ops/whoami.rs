//! `GET WhoAmI` (§6).

use crate::json::Json;
use crate::message::Resp;
use crate::ops::call::Ctx;
use crate::sim::State;

/// `{"@odata.context":"…#Microsoft.Dynamics.CRM.WhoAmIResponse","BusinessUnitId":…,"UserId":…,"OrganizationId":…}`.
pub(crate) fn whoami(st: &State, ctx: &Ctx) -> Resp {
    let Some(org) = st.orgs.get(ctx.org) else {
        return Resp::new(500);
    };
    let body = Json::obj()
        .with("@odata.context", format!("{}Microsoft.Dynamics.CRM.WhoAmIResponse", ctx.metadata()))
        .with("BusinessUnitId", org.bu_id.to_string())
        .with("UserId", ctx.user.to_string())
        .with("OrganizationId", org.org_id.to_string());
    Resp::json(200, body.render())
}
