use super::*;
use crate::testing::{Row, row};

fn acme() -> TenantId {
    TenantId::new("acme")
}

#[test]
fn round_trips() {
    let r = row("acme", 7, "seven");
    let bytes = seal(&r).unwrap();
    assert_eq!(&bytes[..3], b"CCE");
    assert_eq!(bytes[3], FORMAT_VERSION);
    assert_eq!(open::<Row>(&bytes, &acme()).unwrap(), r);
}

#[test]
fn layout_lengths_are_explicit() {
    let r = row("acme", 7, "seven");
    let bytes = seal(&r).unwrap();
    let opened = inspect(&bytes).unwrap();
    assert_eq!(opened.tenant, acme());
    assert_eq!(opened.table, "rows");
    assert_eq!(opened.payload, encode_payload(&r).unwrap().as_slice());
    assert_eq!(bytes.len(), HEADER_LEN + 4 + 4 + opened.payload.len());
}

#[test]
fn tenant_with_special_characters_round_trips() {
    let t = "a:b*c?d[e]\\%é";
    let r = row(t, 1, "x");
    let bytes = seal(&r).unwrap();
    assert_eq!(open::<Row>(&bytes, &TenantId::new(t)).unwrap(), r);
    assert!(matches!(
        open::<Row>(&bytes, &TenantId::new("a")),
        Err(OpenError::ForeignTenant { .. })
    ));
}

#[test]
fn other_schema_is_stale() {
    let bytes = seal_raw(&acme(), "rows", &ContractHash::from_bytes([9; 32]), b"").unwrap();
    assert!(matches!(
        open::<Row>(&bytes, &acme()),
        Err(OpenError::Stale { .. })
    ));
}

#[test]
fn other_table_is_refused() {
    let payload = encode_payload(&row("acme", 1, "x")).unwrap();
    let bytes = seal_raw(&acme(), "orders", &Row::CONTRACT_HASH, &payload).unwrap();
    assert!(matches!(
        open::<Row>(&bytes, &acme()),
        Err(OpenError::WrongTable { .. })
    ));
}

#[test]
fn forged_header_tenant_is_refused_by_payload_check() {
    // Header says acme, payload says globex: never served.
    let payload = encode_payload(&row("globex", 1, "x")).unwrap();
    let bytes = seal_raw(&acme(), "rows", &Row::CONTRACT_HASH, &payload).unwrap();
    assert!(matches!(
        open::<Row>(&bytes, &acme()),
        Err(OpenError::ForeignTenant { .. })
    ));
}

#[test]
fn every_flipped_bit_is_detected() {
    let bytes = seal(&row("acme", 7, "seven")).unwrap();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            let result = open::<Row>(&b, &acme());
            assert!(
                result.is_err(),
                "flip of bit {bit} of byte {i} went unnoticed"
            );
        }
    }
}

#[test]
fn every_truncation_is_corrupt() {
    let bytes = seal(&row("acme", 7, "seven")).unwrap();
    for len in 0..bytes.len() {
        assert!(
            matches!(
                open::<Row>(&bytes[..len], &acme()),
                Err(OpenError::Corrupt(_))
            ),
            "truncation to {len} bytes"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        open::<Row>(&longer, &acme()),
        Err(OpenError::Corrupt(_))
    ));
}

#[test]
fn future_and_earlier_versions_are_unsupported() {
    // 5: a newer release; 1 and 2: earlier releases, whose payloads were postcard. All are
    // misses, keyed reader or not, never corruption (which would delete the entry).
    for version in [5, 1, 2] {
        let mut bytes = seal(&row("acme", 7, "seven")).unwrap();
        bytes[3] = version;
        assert_eq!(
            open::<Row>(&bytes, &acme()),
            Err(OpenError::UnsupportedVersion(version))
        );
        assert_eq!(
            open_with::<Row>(Some(&ours()), &bytes, &acme()),
            Err(OpenError::UnsupportedVersion(version))
        );
    }
}

#[test]
fn undecodable_payload_is_corrupt() {
    let bytes = seal_raw(&acme(), "rows", &Row::CONTRACT_HASH, &[0xff; 3]).unwrap();
    assert!(matches!(
        open::<Row>(&bytes, &acme()),
        Err(OpenError::Corrupt(_))
    ));
}

#[test]
fn global_entries() {
    let bytes = seal_raw(&TenantId::global(), "rows", &Row::CONTRACT_HASH, b"").unwrap();
    assert_eq!(inspect(&bytes).unwrap().tenant, TenantId::global());
    assert!(matches!(
        open::<Row>(&bytes, &acme()),
        Err(OpenError::ForeignTenant { .. })
    ));
}

fn ring(id: u32, secret: &[u8]) -> Keyring {
    Keyring::new(EnvelopeKey::new(id, secret).unwrap())
}

fn ours() -> Keyring {
    ring(3, b"the deployment's secret")
}

#[test]
fn keyed_round_trips_and_names_its_key() {
    let r = row("acme", 7, "seven");
    let bytes = seal_with(Some(&ours()), &r).unwrap();
    assert_eq!(bytes[3], KEYED_FORMAT_VERSION);
    assert_eq!(&bytes[36..40], &3u32.to_le_bytes());
    assert_eq!(open_with::<Row>(Some(&ours()), &bytes, &acme()).unwrap(), r);
    let opened = inspect_with(Some(&ours()), &bytes).unwrap();
    assert_eq!(opened.key_id, Some(3));
    assert_eq!(opened.payload, encode_payload(&r).unwrap().as_slice());
    assert_eq!(bytes.len(), KEYED_HEADER_LEN + 4 + 4 + opened.payload.len());
    // The MAC is the keyed blake3 of everything after it, under the derived key.
    let key = EnvelopeKey::new(3, b"the deployment's secret").unwrap();
    assert_eq!(&bytes[4..36], key.mac(&bytes[36..]).as_bytes());
}

#[test]
fn forged_and_rekeyed_entries_are_refused() {
    let r = row("acme", 7, "seven");
    let forged_mac = seal_with(Some(&ring(3, b"a guess at the secret")), &r).unwrap();
    let other_key_id = seal_with(Some(&ring(4, b"another deployment!")), &r).unwrap();
    let unkeyed = seal(&r).unwrap();
    for (what, bytes, reason) in [
        (
            "forged MAC",
            &forged_mac,
            "does not verify under envelope key 3",
        ),
        (
            "unknown key",
            &other_key_id,
            "envelope key 4, which is not in",
        ),
        ("unkeyed", &unkeyed, "an unkeyed entry"),
    ] {
        match open_with::<Row>(Some(&ours()), bytes, &acme()) {
            Err(OpenError::Forged(why)) => assert!(why.contains(reason), "{what}: {why}"),
            other => panic!("{what}: {other:?}"),
        }
    }
    // A reader without keys cannot tell, and reads a keyed entry as a miss.
    assert_eq!(
        open::<Row>(&other_key_id, &acme()),
        Err(OpenError::Unverifiable { key_id: 4 })
    );
}

#[test]
fn rotation_verifies_previous_keys() {
    let old = ring(1, b"the old deployment secret");
    let r = row("acme", 7, "seven");
    let sealed_old = seal_with(Some(&old), &r).unwrap();
    let rotated = Keyring::new(EnvelopeKey::new(2, b"the new deployment secret").unwrap())
        .with_previous(EnvelopeKey::new(1, b"the old deployment secret").unwrap())
        .unwrap();
    assert_eq!(
        open_with::<Row>(Some(&rotated), &sealed_old, &acme()).unwrap(),
        r
    );
    let sealed_new = seal_with(Some(&rotated), &r).unwrap();
    assert_eq!(&sealed_new[36..40], &2u32.to_le_bytes());
    // The old ring alone does not know the new key: refused, like a forgery.
    assert!(matches!(
        open_with::<Row>(Some(&old), &sealed_new, &acme()),
        Err(OpenError::Forged(_))
    ));
}

#[test]
fn every_flipped_bit_of_a_keyed_entry_is_detected() {
    let bytes = seal_with(Some(&ours()), &row("acme", 7, "seven")).unwrap();
    for i in 0..bytes.len() {
        for bit in 0..8 {
            let mut b = bytes.clone();
            b[i] ^= 1 << bit;
            assert!(
                open_with::<Row>(Some(&ours()), &b, &acme()).is_err(),
                "flip of bit {bit} of byte {i} went unnoticed"
            );
        }
    }
}

#[test]
fn keyed_raw_entries_keep_their_checks() {
    let ring = ours();
    let keys = Some(&ring);
    let stale = seal_raw_with(
        keys,
        &acme(),
        "rows",
        &ContractHash::from_bytes([9; 32]),
        b"",
    )
    .unwrap();
    assert!(matches!(
        open_with::<Row>(keys, &stale, &acme()),
        Err(OpenError::Stale { .. })
    ));
    let payload = encode_payload(&row("globex", 1, "x")).unwrap();
    let foreign = seal_raw_with(keys, &acme(), "rows", &Row::CONTRACT_HASH, &payload).unwrap();
    assert!(matches!(
        open_with::<Row>(keys, &foreign, &acme()),
        Err(OpenError::ForeignTenant { .. })
    ));
    for len in 0..foreign.len() {
        assert!(
            matches!(
                open_with::<Row>(keys, &foreign[..len], &acme()),
                Err(OpenError::Corrupt(_))
            ),
            "truncation to {len} bytes"
        );
    }
}

proptest::proptest! {
    #[test]
    fn open_never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
        let _ = open::<Row>(&bytes, &acme());
    }

    #[test]
    fn open_never_panics_on_valid_prefix(tail in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
        let mut bytes = seal(&row("acme", 1, "x")).unwrap();
        bytes.truncate(40);
        bytes.extend_from_slice(&tail);
        proptest::prop_assert!(open::<Row>(&bytes, &acme()).is_err());
    }
}
