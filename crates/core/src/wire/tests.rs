use super::*;
use serde_json::json;

/// Reads a `T` from `value`, with the error as its displayed text (`path: reason`).
fn read<T: FromJson>(value: Value) -> Result<T, String> {
    T::from_json(&value).map_err(|e| e.to_string())
}

/// Asserts that every case fails with exactly the given `path: reason`.
fn fails<T: FromJson + std::fmt::Debug>(cases: &[(Value, &str)]) {
    for (value, want) in cases {
        match read::<T>(value.clone()) {
            Err(got) => assert_eq!(&got, want, "{value}"),
            Ok(got) => panic!("{value} decoded as {got:?}, expected the error {want}"),
        }
    }
}

#[test]
fn who_am_i_reads_the_pascal_case_names() {
    let value = json!({
        "@odata.context": "https://o/api/data/v9.2/$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse",
        "UserId": "u", "BusinessUnitId": "b", "OrganizationId": "o"
    });
    assert_eq!(
        read::<WhoAmI>(value),
        Ok(WhoAmI { user_id: "u".into(), business_unit_id: "b".into(), organization_id: "o".into() })
    );
    fails::<WhoAmI>(&[
        (json!({"userid": "u", "BusinessUnitId": "b", "OrganizationId": "o"}), "missing field `UserId`"),
        (
            json!({"UserId": "u", "BusinessUnitId": null, "OrganizationId": "o"}),
            "BusinessUnitId: expected a string, got null",
        ),
        (
            json!({"UserId": "u", "BusinessUnitId": "b", "OrganizationId": 1}),
            "OrganizationId: expected a string, got an integer",
        ),
        (json!(["u", "b", "o"]), "expected an object, got an array"),
    ]);
}

#[test]
fn an_organization_reads_the_lookup_and_leaves_missing_or_null_columns_empty() {
    let full = json!({
        "@odata.etag": "W/\"1\"",
        "organizationid": "o",
        "name": "Contoso",
        "_defaultemailserverprofileid_value": "p",
        "defaultemailsettings": "<EmailSettings/>",
        "emailconnectionchannel": 0,
        "requireapprovalforuseremail": true,
        "requireapprovalforqueueemail": false,
        "unrelated": {"nested": [1, 2]}
    });
    assert_eq!(
        read::<Organization>(full),
        Ok(Organization {
            organizationid: "o".into(),
            name: Some("Contoso".into()),
            default_email_server_profile: Some("p".into()),
            defaultemailsettings: Some("<EmailSettings/>".into()),
            emailconnectionchannel: Some(0),
            requireapprovalforuseremail: Some(true),
            requireapprovalforqueueemail: Some(false),
        })
    );
    let sparse = read::<Organization>(json!({"organizationid": "o", "name": null, "emailconnectionchannel": null}));
    assert_eq!(
        sparse,
        Ok(Organization {
            organizationid: "o".into(),
            name: None,
            default_email_server_profile: None,
            defaultemailsettings: None,
            emailconnectionchannel: None,
            requireapprovalforuseremail: None,
            requireapprovalforqueueemail: None,
        })
    );
    fails::<Organization>(&[
        (json!({"name": "Contoso"}), "missing field `organizationid`"),
        (
            json!({"organizationid": "o", "_defaultemailserverprofileid_value": 3}),
            "_defaultemailserverprofileid_value: expected a string, got an integer",
        ),
        (
            json!({"organizationid": "o", "emailconnectionchannel": "0"}),
            "emailconnectionchannel: expected an integer, got a string",
        ),
        (
            json!({"organizationid": "o", "requireapprovalforuseremail": 1}),
            "requireapprovalforuseremail: expected a boolean, got an integer",
        ),
    ]);
}

#[test]
fn an_email_server_profile_reads_every_column() {
    let value = json!({
        "emailserverprofileid": "p", "name": "Microsoft Exchange Online", "servertype": 0,
        "emailservertypename": "Exchange Online", "statecode": 1, "incomingcredentialretrieval": 2,
        "outgoingcredentialretrieval": 2, "useautodiscover": true
    });
    assert_eq!(
        read::<EmailServerProfile>(value),
        Ok(EmailServerProfile {
            emailserverprofileid: "p".into(),
            name: Some("Microsoft Exchange Online".into()),
            servertype: Some(0),
            emailservertypename: Some("Exchange Online".into()),
            statecode: Some(1),
            incomingcredentialretrieval: Some(2),
            outgoingcredentialretrieval: Some(2),
            useautodiscover: Some(true),
        })
    );
    fails::<EmailServerProfile>(&[
        (json!({"emailserverprofileid": null}), "emailserverprofileid: expected a string, got null"),
        (
            json!({"emailserverprofileid": "p", "statecode": 2147483648_i64}),
            "statecode: 2147483648 is out of range for i32",
        ),
        (
            json!({"emailserverprofileid": "p", "outgoingcredentialretrieval": 2.5}),
            "outgoingcredentialretrieval: expected an integer, got a decimal number",
        ),
        (
            json!({"emailserverprofileid": "p", "useautodiscover": "true"}),
            "useautodiscover: expected a boolean, got a string",
        ),
    ]);
}

#[test]
fn a_mailbox_reads_renamed_columns_annotations_and_option_values() {
    let value = json!({
        "@odata.etag": "W/\"42\"",
        "mailboxid": "m",
        "name": "Alex",
        "emailaddress": "alex@contoso.com",
        "_emailserverprofile_value": "p",
        "_regardingobjectid_value": "u",
        "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": "systemuser",
        "_regardingobjectid_value@OData.Community.Display.V1.FormattedValue": "Alex",
        "regardingobjecttypecode": "systemuser",
        "isforwardmailbox": false,
        "statecode": 0,
        "incomingemaildeliverymethod": 2,
        "outgoingemaildeliverymethod": 2,
        "actdeliverymethod": 1,
        "incomingemailstatus": 1,
        "outgoingemailstatus": 2,
        "actstatus": 0,
        "mailboxstatus": 2,
        "emailrouteraccessapproval": 1,
        "enabledforincomingemail": true,
        "enabledforoutgoingemail": false,
        "enabledforact": true,
        "testemailconfigurationscheduled": false,
        "testmailboxaccesscompletedon": "2024-05-01T10:00:00Z",
        "orgmarkedasprimaryforexchangesync": true,
        "isemailaddressapprovedbyo365admin": false,
        "postponetestemailconfigurationuntil": null,
        "processemailreceivedafter": "2024-01-01T00:00:00Z"
    });
    assert_eq!(
        read::<Mailbox>(value),
        Ok(Mailbox {
            mailboxid: "m".into(),
            etag: Some("W/\"42\"".into()),
            name: Some("Alex".into()),
            emailaddress: Some("alex@contoso.com".into()),
            email_server_profile: Some("p".into()),
            regarding: Some("u".into()),
            regarding_logical_name: Some("systemuser".into()),
            regardingobjecttypecode: Some(EntityName::Name("systemuser".into())),
            isforwardmailbox: Some(false),
            statecode: Some(0),
            incomingemaildeliverymethod: Some(2),
            outgoingemaildeliverymethod: Some(2),
            actdeliverymethod: Some(1),
            incomingemailstatus: Some(1),
            outgoingemailstatus: Some(2),
            actstatus: Some(0),
            mailboxstatus: Some(2),
            emailrouteraccessapproval: Some(1),
            isemailaddressapprovedbyo365admin: Some(false),
            enabledforincomingemail: Some(true),
            enabledforoutgoingemail: Some(false),
            enabledforact: Some(true),
            testemailconfigurationscheduled: Some(false),
            testmailboxaccesscompletedon: Some("2024-05-01T10:00:00Z".into()),
            orgmarkedasprimaryforexchangesync: Some(true),
            postponetestemailconfigurationuntil: None,
            processemailreceivedafter: Some("2024-01-01T00:00:00Z".into()),
        })
    );
    let minimal = read::<Mailbox>(json!({"mailboxid": "m"})).unwrap();
    assert_eq!((minimal.etag, minimal.statecode, minimal.regardingobjecttypecode), (None, None, None));
    fails::<Mailbox>(&[
        (json!({"name": "Alex"}), "missing field `mailboxid`"),
        (json!({"mailboxid": "m", "@odata.etag": 1}), "@odata.etag: expected a string, got an integer"),
        (
            json!({"mailboxid": "m", "_emailserverprofile_value": {}}),
            "_emailserverprofile_value: expected a string, got an object",
        ),
        (
            json!({"mailboxid": "m", "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname": false}),
            "_regardingobjectid_value@Microsoft.Dynamics.CRM.lookuplogicalname: expected a string, got a boolean",
        ),
        (json!({"mailboxid": "m", "actdeliverymethod": "1"}), "actdeliverymethod: expected an integer, got a string"),
        (json!({"mailboxid": "m", "enabledforact": 0}), "enabledforact: expected a boolean, got an integer"),
        (
            json!({"mailboxid": "m", "processemailreceivedafter": []}),
            "processemailreceivedafter: expected a string, got an array",
        ),
        (
            json!({"mailboxid": "m", "regardingobjecttypecode": true}),
            "regardingobjecttypecode: expected a logical name or an object type code, got a boolean",
        ),
    ]);
}

#[test]
fn the_regarding_type_is_a_logical_name_or_an_object_type_code() {
    assert_eq!(read::<EntityName>(json!("queue")), Ok(EntityName::Name("queue".into())));
    assert_eq!(read::<EntityName>(json!(2020)), Ok(EntityName::Code(2020)));
    assert_eq!(read::<EntityName>(json!(-1)), Ok(EntityName::Code(-1)));
    assert_eq!(read::<EntityName>(json!(8.0)), Err("expected an integer, got a decimal number".into()));
    assert_eq!(read::<EntityName>(json!(u64::MAX)), Err(format!("{} is out of range for i64", u64::MAX)));
    assert_eq!(read::<Option<EntityName>>(json!(null)), Ok(None));
}

#[test]
fn roles_and_teams_read_the_template_lookup_and_the_expanded_roles() {
    let role =
        json!({"@odata.etag": "W/\"1\"", "roleid": "r", "name": "System Administrator", "_roletemplateid_value": "t"});
    assert_eq!(
        read::<Role>(role.clone()),
        Ok(Role { roleid: "r".into(), name: Some("System Administrator".into()), role_template: Some("t".into()) })
    );
    let team =
        read::<TeamWithRoles>(json!({"teamid": "t1", "name": "Sales", "teamroles_association": [role]})).unwrap();
    assert_eq!((team.teamid.as_str(), team.teamroles_association.len()), ("t1", 1));
    let bare = read::<TeamWithRoles>(json!({"teamid": "t1"})).unwrap();
    assert_eq!((bare.name, bare.teamroles_association), (None, vec![]));
    fails::<Role>(&[
        (json!({"name": "x"}), "missing field `roleid`"),
        (
            json!({"roleid": "r", "_roletemplateid_value": 5}),
            "_roletemplateid_value: expected a string, got an integer",
        ),
    ]);
    fails::<TeamWithRoles>(&[
        (json!({"name": "Sales"}), "missing field `teamid`"),
        // As serde's `default` on a `Vec`: missing is empty, null is an error.
        (json!({"teamid": "t1", "teamroles_association": null}), "teamroles_association: expected an array, got null"),
        (
            json!({"teamid": "t1", "teamroles_association": [{"roleid": "r"}, {"name": "n"}]}),
            "teamroles_association[1]: missing field `roleid`",
        ),
        (
            json!({"teamid": "t1", "teamroles_association": [{"roleid": 1}]}),
            "teamroles_association[0].roleid: expected a string, got an integer",
        ),
    ]);
}

#[test]
fn user_privileges_read_the_pascal_case_names_and_any_depth() {
    let value = json!({
        "@odata.context": "x",
        "RolePrivileges": [
            {"Depth": "Global", "PrivilegeId": "p1", "PrivilegeName": "prvApproveRejectEmailAddress", "BusinessUnitId": "b"},
            {"Depth": 8},
            {"Depth": null, "PrivilegeName": null}
        ]
    });
    assert_eq!(
        read::<UserPrivileges>(value),
        Ok(UserPrivileges {
            role_privileges: vec![
                RolePrivilege {
                    depth: Some(json!("Global")),
                    privilege_id: Some("p1".into()),
                    privilege_name: Some("prvApproveRejectEmailAddress".into()),
                },
                RolePrivilege { depth: Some(json!(8)), privilege_id: None, privilege_name: None },
                RolePrivilege { depth: None, privilege_id: None, privilege_name: None },
            ]
        })
    );
    assert_eq!(read::<UserPrivileges>(json!({})), Ok(UserPrivileges { role_privileges: vec![] }));
    fails::<UserPrivileges>(&[
        (json!({"RolePrivileges": null}), "RolePrivileges: expected an array, got null"),
        (
            json!({"RolePrivileges": [{"PrivilegeName": 1}]}),
            "RolePrivileges[0].PrivilegeName: expected a string, got an integer",
        ),
        (
            json!({"RolePrivileges": [{"privilegename": "x"}, "x"]}),
            "RolePrivileges[1]: expected an object, got a string",
        ),
    ]);
}

#[test]
fn a_trace_log_has_no_required_column() {
    let value = json!({
        "tracelogid": "a", "level": 3, "text": "Email Server Error Code: 8005E273", "tracecode": 6,
        "createdon": "2024-05-01T10:00:00Z", "modifiedon": "2024-05-02T10:00:00Z", "_regardingobjectid_value": "m"
    });
    assert_eq!(
        read::<TraceLog>(value),
        Ok(TraceLog {
            tracelogid: Some("a".into()),
            level: Some(3),
            text: Some("Email Server Error Code: 8005E273".into()),
            tracecode: Some(6),
            createdon: Some("2024-05-01T10:00:00Z".into()),
            modifiedon: Some("2024-05-02T10:00:00Z".into()),
            regarding: Some("m".into()),
        })
    );
    let empty = TraceLog {
        tracelogid: None,
        level: None,
        text: None,
        tracecode: None,
        createdon: None,
        modifiedon: None,
        regarding: None,
    };
    assert_eq!(read::<TraceLog>(json!({})), Ok(empty.clone()));
    assert_eq!(read::<TraceLog>(json!({"level": null, "tracecode": null})), Ok(empty));
    // `tracecode` is an i64: codes beyond i32 are kept.
    assert_eq!(read::<TraceLog>(json!({"tracecode": 2147483648_i64})).map(|t| t.tracecode), Ok(Some(2147483648)));
    fails::<TraceLog>(&[
        (json!({"level": "3"}), "level: expected an integer, got a string"),
        (json!({"level": 4294967296_i64}), "level: 4294967296 is out of range for i32"),
        (json!({"_regardingobjectid_value": 1}), "_regardingobjectid_value: expected a string, got an integer"),
        (json!(null), "expected an object, got null"),
    ]);
}

#[test]
fn issue_19_the_select_lists_are_derived_from_the_one_declaration_of_each_row() {
    // The lists as they were written out by hand before issue 19: the requests are unchanged.
    let cases: [(&[&str], &str); 8] = [
        (
            ORGANIZATION_COLUMNS,
            "organizationid,name,_defaultemailserverprofileid_value,defaultemailsettings,emailconnectionchannel,requireapprovalforuseremail,requireapprovalforqueueemail",
        ),
        (
            PROFILE_COLUMNS,
            "emailserverprofileid,name,servertype,emailservertypename,statecode,incomingcredentialretrieval,outgoingcredentialretrieval,useautodiscover",
        ),
        (
            MAILBOX_COLUMNS,
            "mailboxid,name,emailaddress,_emailserverprofile_value,_regardingobjectid_value,regardingobjecttypecode,isforwardmailbox,statecode,incomingemaildeliverymethod,outgoingemaildeliverymethod,actdeliverymethod,incomingemailstatus,outgoingemailstatus,actstatus,mailboxstatus,emailrouteraccessapproval,isemailaddressapprovedbyo365admin,enabledforincomingemail,enabledforoutgoingemail,enabledforact,testemailconfigurationscheduled,testmailboxaccesscompletedon,orgmarkedasprimaryforexchangesync,postponetestemailconfigurationuntil,processemailreceivedafter",
        ),
        (ROLE_COLUMNS, "name,roleid,_roletemplateid_value"),
        (TEAM_COLUMNS, "teamid,name"),
        (TRACELOG_COLUMNS, "level,text,tracecode,createdon,modifiedon,_regardingobjectid_value"),
        (
            MAILBOX_MONITORING_COLUMNS,
            "processingstatecode,postponemailboxprocessinguntil,lastsuccessfulsynccompletedon,processinglastattemptedon,lastsyncstartedon,itemsprocessedforlastsync,itemsfailedforlastsync,averagetotalduration,lastduration,lastsyncerror,lastsyncerrorcode,lastsyncerrorcount,lastsyncerroroccurredon,transientfailurecount",
        ),
        (
            SYNC_ID_MAPPING_COLUMNS,
            "exchangesyncidmappingid,lastsyncerror,lastsyncerrorcode,lastsyncerroroccurredon,itemsubject,objecttypecode,retries,_ownerid_value",
        ),
    ];
    for (columns, want) in cases {
        assert_eq!(columns.join(","), want);
    }
    // A lookup's column is `_<navigation property>_value`; the navigation property is what a write binds.
    assert_eq!(
        (mailbox::email_server_profile, mailbox::nav::email_server_profile),
        ("_emailserverprofile_value", "emailserverprofile")
    );
    assert_eq!(organization::nav::default_email_server_profile, "defaultemailserverprofileid");
    // The reader reads the same names the lists select.
    let row = read::<Organization>(json!({"organizationid": "o", "_defaultemailserverprofileid_value": "p"})).unwrap();
    assert_eq!(row.default_email_server_profile.as_deref(), Some("p"));
}
