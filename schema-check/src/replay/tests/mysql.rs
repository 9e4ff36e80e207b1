//! MySQL/MariaDB replay tests.

use super::*;

const MY: Dialect = Dialect::Mysql;

#[test]
fn types_are_spelled_like_column_type_without_widths() {
    // Checked against MariaDB 10.11 information_schema.COLUMNS.COLUMN_TYPE.
    let out = ok(
        MY,
        "CREATE TABLE t (a int(11), b int unsigned, c bigint(20) unsigned, d tinyint(1),
           e boolean, f tinyint, g smallint, h mediumint, i decimal(10,2), j decimal,
           k numeric(5), l float, m double, n real, o varchar(255), p char, q char(3), r text,
           s longtext, t json, u datetime, v datetime(3), w timestamp, x timestamp(6), y date,
           z time, aa enum('a','b''c'), ab set('x','y'), ac blob, ad varbinary(16),
           ae binary(4), af bit(3), ah double precision, ai float(30), aj integer,
           ak serial, al mediumtext, an float(7,3), ao tinyblob, ap tinytext)",
    );
    let expected = [
        ("a", "int", true),
        ("b", "int unsigned", true),
        ("c", "bigint unsigned", true),
        ("d", "tinyint(1)", true),
        ("e", "tinyint(1)", true),
        ("f", "tinyint", true),
        ("g", "smallint", true),
        ("h", "mediumint", true),
        ("i", "decimal(10,2)", true),
        ("j", "decimal(10,0)", true),
        ("k", "decimal(5,0)", true),
        ("l", "float", true),
        ("m", "double", true),
        ("n", "double", true),
        ("o", "varchar(255)", true),
        ("p", "char(1)", true),
        ("q", "char(3)", true),
        ("r", "text", true),
        ("s", "longtext", true),
        ("t", "longtext", true),
        ("u", "datetime", true),
        ("v", "datetime(3)", true),
        ("w", "timestamp", true),
        ("x", "timestamp(6)", true),
        ("y", "date", true),
        ("z", "time", true),
        ("aa", "enum('a','b''c')", true),
        ("ab", "set('x','y')", true),
        ("ac", "blob", true),
        ("ad", "varbinary(16)", true),
        ("ae", "binary(4)", true),
        ("af", "bit(3)", true),
        ("ah", "double", true),
        ("ai", "double", true),
        ("aj", "int", true),
        ("ak", "bigint unsigned", false),
        ("al", "mediumtext", true),
        ("an", "float(7,3)", true),
        ("ao", "tinyblob", true),
        ("ap", "tinytext", true),
    ];
    assert_eq!(shape(&out, "t"), cols(&expected));
    let fam = |c: &str| col(&out, "t", c).ty.family.clone();
    assert_eq!(fam("d"), TypeFamily::Bool);
    assert_eq!(fam("b"), TypeFamily::UInt { bytes: 4 });
    assert_eq!(fam("t"), TypeFamily::Json);
    assert_eq!(fam("u"), TypeFamily::Timestamp);
    assert_eq!(fam("w"), TypeFamily::TimestampTz);
    assert_eq!(
        fam("aa"),
        TypeFamily::Enum {
            name: None,
            values: s(&["a", "b'c"])
        }
    );
    // SERIAL is BIGINT UNSIGNED NOT NULL AUTO_INCREMENT UNIQUE.
    assert_eq!(table(&out, "t").unique[0].columns, s(&["ak"]));
}

#[test]
fn inline_keys_auto_increment_backticks_engine() {
    let out = ok(
        MY,
        "CREATE TABLE `Users` (
           `id` int unsigned NOT NULL AUTO_INCREMENT,
           `Email` varchar(190) NOT NULL,
           `org` int,
           PRIMARY KEY (`id`),
           UNIQUE KEY `users_email` (`Email`),
           KEY `idx_org` (`org`)
         ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
    );
    let t = table(&out, "Users");
    assert_eq!(t.primary_key, Some(s(&["id"])));
    assert_eq!(t.unique[0].name.as_deref(), Some("users_email"));
    assert_eq!(
        col(&out, "Users", "id").generated,
        Some(Generated::Identity { always: false })
    );
    assert!(out.schema.indexes.contains_key("Users.idx_org"));
    // Column names compare case-insensitively; table names keep their case.
    let out = ok(
        MY,
        "CREATE TABLE T (Email text);\nALTER TABLE T MODIFY email varchar(10) NOT NULL",
    );
    assert_eq!(shape(&out, "T"), cols(&[("email", "varchar(10)", false)]));
    let e = one_error(MY, "CREATE TABLE T (a int);\nALTER TABLE t ADD b int");
    assert!(e.message.contains("`t` does not exist"), "{e}");
}

#[test]
fn primary_key_implies_not_null_and_timestamp_is_nullable() {
    let e = one_error(
        MY,
        "CREATE TABLE t (id int PRIMARY KEY, b int, PRIMARY KEY (b))",
    );
    assert!(e.message.contains("already has a primary key"), "{e}");
    let out = ok(
        MY,
        "CREATE TABLE t (id int, at timestamp, PRIMARY KEY (id))",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[("id", "int", false), ("at", "timestamp", true)])
    );
}

#[test]
fn modify_and_change_column_replace_the_definition() {
    let out = ok(
        MY,
        "CREATE TABLE t (a int NOT NULL DEFAULT 1, b text, c int);
         ALTER TABLE t MODIFY COLUMN a bigint;
         ALTER TABLE t CHANGE COLUMN b body varchar(50) NOT NULL AFTER c;
         ALTER TABLE t MODIFY c int FIRST",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("c", "int", true),
            ("a", "bigint", true),
            ("body", "varchar(50)", false)
        ])
    );
    assert_eq!(col(&out, "t", "a").default, None);
    assert_eq!(col(&out, "t", "a").provenance.created.line, 1);
    assert!(matches!(
        &out.schema.history[0],
        HistoryEvent::ColumnRenamed { from, to, .. } if from == "b" && to == "body"
    ));
}

#[test]
fn rename_table_several_pairs() {
    let out = ok(
        MY,
        "CREATE TABLE a (x int); CREATE TABLE c (x int);
         RENAME TABLE a TO b, c TO d",
    );
    assert_eq!(out.schema.tables.keys().collect::<Vec<_>>(), vec!["b", "d"]);
    let e = one_error(
        MY,
        "CREATE TABLE a (x int); CREATE TABLE b (x int);\nRENAME TABLE a TO b",
    );
    assert!(e.message.contains("already exists"), "{e}");
}

#[test]
fn alter_table_rename_without_to_renames_the_table() {
    // MySQL and MariaDB take `RENAME [TO | AS] new_name`; sqlparser needs TO or AS.
    let out = ok(
        MY,
        "CREATE TABLE a (x int); CREATE TABLE c (x int); CREATE TABLE e (x int);
         ALTER TABLE a RENAME b;
         ALTER TABLE c RENAME AS d;
         ALTER TABLE e RENAME shop.f, ADD y int;
         CREATE TABLE a (z int)",
    );
    assert_eq!(
        out.schema.tables.keys().collect::<Vec<_>>(),
        vec!["a", "b", "d", "f"]
    );
    assert_eq!(shape(&out, "f").len(), 2);
}

#[test]
fn qualified_names_keep_the_last_part() {
    let out = ok(
        MY,
        "CREATE TABLE shop.orders (id int);\nALTER TABLE orders ADD total decimal(10,2)",
    );
    assert_eq!(shape(&out, "orders").len(), 2);
}

#[test]
fn drop_keys_and_indexes() {
    let out = ok(
        MY,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE t (id int, email varchar(50), pid int,
           PRIMARY KEY (id), UNIQUE KEY uq_email (email),
           CONSTRAINT fk_p FOREIGN KEY (pid) REFERENCES p (id));
         CREATE INDEX idx_pid ON t (pid);
         ALTER TABLE t DROP INDEX uq_email;
         ALTER TABLE t DROP FOREIGN KEY fk_p;
         DROP INDEX idx_pid ON t;
         ALTER TABLE t DROP PRIMARY KEY",
    );
    let t = table(&out, "t");
    assert!(t.unique.is_empty() && t.foreign_keys.is_empty() && t.primary_key.is_none());
    assert!(out.schema.indexes.is_empty(), "{:?}", out.schema.indexes);
    // MySQL keeps the column NOT NULL after the key is dropped.
    assert!(!col(&out, "t", "id").nullable);
}

#[test]
fn drop_column_follows_mariadb() {
    // A single-column key goes with its column; a non-unique index loses the column.
    let out = ok(
        MY,
        "CREATE TABLE t (a int, b int, e int, UNIQUE KEY (b), KEY ke (e, b));
         ALTER TABLE t DROP COLUMN b",
    );
    assert!(table(&out, "t").unique.is_empty());
    assert_eq!(out.schema.indexes["t.ke"].columns, s(&["e"]));
    // A column of a multi-column unique or primary key cannot be dropped.
    let e = one_error(
        MY,
        "CREATE TABLE t (a int, d int, PRIMARY KEY (a, d));\nALTER TABLE t DROP COLUMN d",
    );
    assert!(e.message.contains("multi-column"), "{e}");
}

#[test]
fn unique_index_adds_unique_key() {
    let out = ok(
        MY,
        "CREATE TABLE t (a int, b int);
         CREATE UNIQUE INDEX ab ON t (a, b);
         ALTER TABLE t ADD UNIQUE KEY only_b (b)",
    );
    let u: Vec<Vec<String>> = table(&out, "t")
        .unique
        .iter()
        .map(|u| u.columns.clone())
        .collect();
    assert_eq!(u, vec![s(&["a", "b"]), s(&["b"])]);
}

#[test]
fn add_column_first_after_and_duplicate() {
    let out = ok(
        MY,
        "CREATE TABLE t (a int, b int);
         ALTER TABLE t ADD COLUMN z int FIRST, ADD COLUMN m int AFTER a",
    );
    let names: Vec<String> = shape(&out, "t").into_iter().map(|c| c.0).collect();
    assert_eq!(names, s(&["z", "a", "m", "b"]));
    let e = one_error(
        MY,
        "CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN A int",
    );
    assert!(e.message.contains("already exists"), "{e}");
}

#[test]
fn noise_is_skipped() {
    let out = ok(
        MY,
        "SET FOREIGN_KEY_CHECKS = 0;
         CREATE TABLE t (a int);
         INSERT INTO t VALUES (1);
         LOCK TABLES t WRITE;
         UNLOCK TABLES;
         ALTER TABLE t AUTO_INCREMENT = 100;
         ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE",
    );
    assert!(out.skipped.len() >= 5, "{:#?}", out.skipped);
}

#[test]
fn zerofill_is_read_as_unsigned() {
    let out = ok(
        MY,
        "CREATE TABLE t (a int);
         ALTER TABLE t ADD COLUMN b bigint NULL, ADD COLUMN r tinyint(4) unsigned zerofill;
         ALTER TABLE t ADD COLUMN z int zerofill;
         CREATE TABLE y (made year)",
    );
    assert_eq!(
        col(&out, "t", "r").ty.canonical,
        "tinyint unsigned zerofill"
    );
    assert_eq!(col(&out, "t", "z").ty.canonical, "int unsigned zerofill");
    assert_eq!(col(&out, "y", "made").ty.canonical, "year(4)");
}

#[test]
fn create_table_like_copies_everything_but_foreign_keys() {
    let out = ok(
        MY,
        "CREATE TABLE p (id int PRIMARY KEY);
         CREATE TABLE a (id int AUTO_INCREMENT PRIMARY KEY, e varchar(9) UNIQUE, pid int REFERENCES p (id), KEY k (pid));
         CREATE TABLE b LIKE a",
    );
    assert_eq!(shape(&out, "b"), shape(&out, "a"));
    let b = table(&out, "b");
    assert_eq!(b.primary_key, Some(s(&["id"])));
    assert_eq!(b.unique.len(), 1);
    assert!(b.foreign_keys.is_empty());
    assert!(out.schema.indexes.contains_key("b.k"));
}

#[test]
fn create_or_replace_table_replaces() {
    // Difftest finding F25 (MariaDB).
    let out = ok(
        MY,
        "CREATE TABLE replaced (a int);
         CREATE OR REPLACE TABLE replaced (b TEXT NOT NULL)",
    );
    assert_eq!(shape(&out, "replaced"), cols(&[("b", "text", false)]));
}

#[test]
fn mariadb_add_column_if_not_exists_and_zerofill_in_create() {
    // Difftest findings F20 and F24.
    let out = ok(
        MY,
        "CREATE TABLE z (a int(11) zerofill, b int unsigned zerofill);
         ALTER TABLE z ADD COLUMN IF NOT EXISTS a BIGINT, ADD COLUMN IF NOT EXISTS c BIGINT",
    );
    assert_eq!(
        shape(&out, "z"),
        cols(&[
            ("a", "int unsigned zerofill", true),
            ("b", "int unsigned zerofill", true),
            ("c", "bigint", true)
        ])
    );
    let e = one_error(
        MY,
        "CREATE TABLE z (a int);\nALTER TABLE z ADD COLUMN a BIGINT",
    );
    assert!(e.message.contains("already exists"), "{e}");
}

#[test]
fn mariadb_spellings_sqlparser_misses() {
    // Difftest findings F18, F19, F21, F22.
    let out = ok(
        MY,
        "CREATE TABLE t (id int, f long varchar, g long, h long varbinary);
         ALTER TABLE t AUTO_INCREMENT = 5000, COMMENT 'ids start high';
         ALTER TABLE t COMMENT = 'x', ADD COLUMN k int;
         ALTER TABLE t ADD COLUMN (a INT, b VARCHAR(5));
         ALTER TABLE t ADD PRIMARY KEY USING BTREE (id)",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("id", "int", false),
            ("f", "mediumtext", true),
            ("g", "mediumtext", true),
            ("h", "mediumblob", true),
            ("k", "int", true),
            ("a", "int", true),
            ("b", "varchar(5)", true),
        ])
    );
    assert_eq!(table(&out, "t").primary_key, Some(s(&["id"])));
}

#[test]
fn type_synonyms_and_rename_index() {
    // Difftest findings F21 and F23 (and the synonyms of the edge_cases fixture).
    let out = ok(
        MY,
        "CREATE TABLE syn (a int(11) zerofill, e varchar(10) binary, f national varchar(10),
           j fixed(5,2), x int1, y int3, b binary(4));
         CREATE TABLE idx (a INT, b INT, KEY ka (a), UNIQUE KEY ub (b));
         ALTER TABLE idx RENAME INDEX ka TO kb;
         ALTER TABLE idx RENAME KEY ub TO uc;
         ALTER TABLE idx DROP INDEX kb",
    );
    assert_eq!(
        shape(&out, "syn"),
        cols(&[
            ("a", "int unsigned zerofill", true),
            ("e", "varchar(10)", true),
            ("f", "varchar(10)", true),
            ("j", "decimal(5,2)", true),
            ("x", "tinyint", true),
            ("y", "mediumint", true),
            ("b", "binary(4)", true),
        ])
    );
    assert_eq!(table(&out, "idx").unique[0].name.as_deref(), Some("uc"));
    assert!(out.schema.indexes.is_empty());
    let e = one_error(
        MY,
        "CREATE TABLE i (a INT);\nALTER TABLE i RENAME INDEX nope TO other",
    );
    assert!(e.message.contains("no index named `nope`"), "{e}");
}

#[test]
fn tinyint_1_keeps_its_width_signed_or_not() {
    // Difftest finding F34.
    let out = ok(
        MY,
        "CREATE TABLE w (d TINYINT(1) UNSIGNED, e BIGINT(20) UNSIGNED ZEROFILL)",
    );
    assert_eq!(col(&out, "w", "d").ty.canonical, "tinyint(1) unsigned");
    assert_eq!(col(&out, "w", "e").ty.canonical, "bigint unsigned zerofill");
}

#[test]
fn convert_to_character_set_widens_text_as_mariadb_does() {
    // Checked against MariaDB 10.11: converting keeps a text column's capacity in
    // characters, so a wider set moves it one size up; columns the same statement adds
    // are in the new set already; a narrower set changes nothing.
    let out = replay(
        MY,
        "CREATE TABLE a (t TEXT, v VARCHAR(10), tt TINYTEXT, m MEDIUMTEXT) DEFAULT CHARSET=utf8;
         ALTER TABLE a CONVERT TO CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
         CREATE TABLE b (t TEXT) ENGINE=InnoDB DEFAULT CHARSET=latin1;
         RENAME TABLE b TO b2;
         ALTER TABLE b2 ENGINE=InnoDB, CONVERT TO CHARSET utf8mb4, ADD COLUMN x TEXT;
         CREATE TABLE c (t TEXT) COLLATE=latin1_swedish_ci;
         ALTER TABLE c CONVERT TO CHARACTER SET latin1;
         CREATE TABLE d (t TEXT);
         ALTER TABLE d CONVERT TO CHARACTER SET utf8mb4",
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(
        shape(&out, "a"),
        cols(&[
            ("t", "mediumtext", true),
            ("v", "varchar(10)", true),
            ("tt", "text", true),
            ("m", "longtext", true),
        ])
    );
    assert_eq!(
        shape(&out, "b2"),
        cols(&[("t", "mediumtext", true), ("x", "text", true)])
    );
    assert_eq!(col(&out, "c", "t").ty.canonical, "text");
    // `d` has the database's character set, which the migrations do not say: taken as
    // utf8mb4 (no change), with a warning naming the table's creation.
    assert_eq!(col(&out, "d", "t").ty.canonical, "text");
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    assert!(
        out.warnings[0].message.contains("`d`"),
        "{:?}",
        out.warnings
    );
    assert_eq!(out.warnings[0].cause.line, 8);
}

#[test]
fn alter_table_options_change_no_column() {
    // Table options sqlparser does not read, alone or between other clauses.
    let out = ok(
        MY,
        "CREATE TABLE t (id INT, name VARCHAR(20));
         ALTER TABLE t ENGINE=InnoDB;
         ALTER TABLE t ENGINE = InnoDB DEFAULT CHARSET=utf8mb4 ROW_FORMAT=DYNAMIC;
         ALTER TABLE t ALGORITHM=INPLACE, LOCK=NONE, ADD COLUMN n INT, AUTO_INCREMENT = 7;
         ALTER TABLE IF EXISTS t DEFAULT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin, FORCE;
         ALTER TABLE t COLLATE = latin1_bin, ENGINE=InnoDB;
         ALTER TABLE t ADD COLUMN h TEXT(100)",
    );
    // A default character set is for the columns defined later: `TEXT(100)` is sized
    // in latin1.
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("id", "int", true),
            ("name", "varchar(20)", true),
            ("n", "int", true),
            ("h", "tinytext", true)
        ])
    );
    // The statements that set a default character set are not skips.
    assert_eq!(out.skipped.len(), 1, "{:?}", out.skipped);
}

#[test]
fn prefix_key_parts_name_their_column() {
    // MariaDB names an unnamed `KEY (body(10))` after `body`, and a prefix part is a
    // plain column for UNIQUE and PRIMARY KEY too.
    let out = ok(
        MY,
        "CREATE TABLE p (body TEXT, k VARCHAR(100), INDEX (body(10)), UNIQUE KEY (k(20)));
         ALTER TABLE p ADD INDEX (body(20))",
    );
    let names: Vec<&str> = out
        .schema
        .indexes
        .values()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["body", "body_2"]);
    assert_eq!(table(&out, "p").unique[0].columns, s(&["k"]));
}

#[test]
fn fulltext_indexes_are_indexes() {
    let out = ok(
        MY,
        "CREATE TABLE d (t TEXT, u TEXT, FULLTEXT KEY ft_t (t));
         CREATE FULLTEXT INDEX ft_u ON d (u);
         ALTER TABLE d ADD FULLTEXT (t, u)",
    );
    let names: Vec<&str> = out
        .schema
        .indexes
        .values()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(names, ["ft_t", "ft_u", "t"]);
}

#[test]
fn a_foreign_key_takes_over_the_index_made_for_an_earlier_one() {
    // MariaDB 10.11 (mysql_prepare_create_table): an index the server made for a foreign
    // key gives way to the one a later foreign key on the same columns needs (named after
    // the new constraint), unless it is longer; an index the user declared stays.
    let out = ok(
        MY,
        "CREATE TABLE tag (id INT PRIMARY KEY, x INT, KEY (id, x));
         CREATE TABLE c (t INT, FOREIGN KEY (t) REFERENCES tag (id));
         ALTER TABLE c ADD CONSTRAINT fk_c FOREIGN KEY (t) REFERENCES tag (id);
         CREATE TABLE pt (p INT, t INT, PRIMARY KEY (p, t), FOREIGN KEY (t) REFERENCES tag (id));
         RENAME TABLE pt TO post_tags;
         ALTER TABLE post_tags DROP FOREIGN KEY post_tags_ibfk_1;
         ALTER TABLE post_tags ADD CONSTRAINT fk_t FOREIGN KEY (t) REFERENCES tag (id);
         CREATE TABLE d (t INT, KEY (t));
         ALTER TABLE d ADD CONSTRAINT fk_d FOREIGN KEY (t) REFERENCES tag (id);
         CREATE TABLE f (t INT, u INT, FOREIGN KEY (t) REFERENCES tag (id));
         ALTER TABLE f ADD CONSTRAINT fk_f FOREIGN KEY (t, u) REFERENCES tag (id, x);
         ALTER TABLE f ADD CONSTRAINT fk_f2 FOREIGN KEY (t) REFERENCES tag (id);
         CREATE TABLE h (t INT);
         ALTER TABLE h ADD CONSTRAINT fk_h1 FOREIGN KEY (t) REFERENCES tag (id),
           ADD CONSTRAINT fk_h2 FOREIGN KEY (t) REFERENCES tag (id)",
    );
    let mut names: Vec<String> = out
        .schema
        .indexes
        .values()
        .filter(|i| i.table != "tag")
        .map(|i| format!("{}.{}", i.table, i.name))
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["c.fk_c", "d.t", "f.fk_f", "h.fk_h2", "post_tags.fk_t"]
    );
}

#[test]
fn version_comments_run_as_the_server_runs_them() {
    // mysqldump output: the server runs `/*!NNNNN ... */`; DISABLE/ENABLE KEYS change no
    // column; a view and a trigger spelled across several version comments.
    let out = ok(
        MY,
        "/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
         CREATE TABLE `t` (`id` int(11) NOT NULL, `n` int(11) DEFAULT NULL, PRIMARY KEY (`id`));
         /*!40000 ALTER TABLE `t` DISABLE KEYS */;
         /*!40000 ALTER TABLE `t` ENABLE KEYS */;
         /*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ /*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW SET NEW.n = 1 */;
         /*!50001 CREATE ALGORITHM=UNDEFINED */
         /*!50013 DEFINER=`root`@`localhost` SQL SECURITY DEFINER */
         /*!50001 VIEW `v` AS select `t`.`id` AS `id` from `t` */;
         /*!40000 ALTER TABLE `t` ADD COLUMN m int */",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[("id", "int", false), ("n", "int", true), ("m", "int", true)])
    );
    assert!(out.schema.views.contains_key("v"));
}

#[test]
fn sized_text_and_blob_and_nchar_are_spelled_as_mariadb_reports() {
    // Checked against MariaDB 10.11 (utf8mb4 default: 4 bytes per TEXT(n) character).
    let out = ok(
        MY,
        "CREATE TABLE b (a TEXT(63), b TEXT(64), c TEXT(16383), d TEXT(16384), e BLOB(255),
           f BLOB(256), g BLOB(0), h TEXT(0), i BLOB(70000), n NCHAR(3))",
    );
    let types: Vec<String> = shape(&out, "b").into_iter().map(|c| c.1).collect();
    assert_eq!(
        types,
        [
            "tinytext",
            "text",
            "text",
            "mediumtext",
            "tinyblob",
            "blob",
            "blob",
            "text",
            "mediumblob",
            "char(3)"
        ]
    );
}

#[test]
fn unnamed_keys_are_named_in_the_order_declared() {
    // MariaDB 10.11: KEY (a) before UNIQUE (a) takes `a`; the UNIQUE gets `a_2`.
    let out = ok(
        MY,
        "CREATE TABLE w (a INT, b INT, KEY (a), UNIQUE (a), KEY (b));
         CREATE TABLE w2 (a INT, KEY (a));
         ALTER TABLE w2 ADD KEY (a), ADD UNIQUE (a);
         ALTER TABLE w2 ADD COLUMN z INT UNIQUE, ADD INDEX (z)",
    );
    let names = |t: &str| {
        let mut v: Vec<String> = table(&out, t)
            .unique
            .iter()
            .map(|u| format!("u:{}", u.name.as_deref().unwrap_or("?")))
            .chain(
                out.schema
                    .indexes
                    .values()
                    .filter(|i| i.table == t)
                    .map(|i| format!("i:{}", i.name)),
            )
            .collect();
        v.sort();
        v
    };
    assert_eq!(names("w"), ["i:a", "i:b", "u:a_2"]);
    assert_eq!(names("w2"), ["i:a", "i:a_2", "i:z_2", "u:a_3", "u:z"]);
}

#[test]
fn charset_is_character_set_for_a_column() {
    let out = ok(
        MY,
        "CREATE TABLE sm (id INT, a VARCHAR(10) CHARSET latin1) ENGINE=InnoDB CHARSET utf8mb4;
         ALTER TABLE sm MODIFY a VARCHAR(100) CHARSET latin1 NOT NULL;
         ALTER TABLE sm CHARSET latin1",
    );
    assert_eq!(
        shape(&out, "sm"),
        cols(&[("id", "int", true), ("a", "varchar(100)", false)])
    );
}

#[test]
fn partitions_row_order_temporary_tables_and_parenthesized_like() {
    // All accepted by MariaDB 10.11; none changes a column except as checked here.
    let out = ok(
        MY,
        "CREATE TABLE t (id INT PRIMARY KEY, n INT NOT NULL DEFAULT 3);
         CREATE TABLE t3 AS (SELECT id, n FROM t);
         CREATE TABLE t4 (LIKE t);
         ALTER TABLE t ORDER BY n;
         CREATE TABLE part (id INT, y INT, PRIMARY KEY (id, y)) PARTITION BY RANGE (y)
           (PARTITION p0 VALUES LESS THAN (2000), PARTITION p1 VALUES LESS THAN MAXVALUE);
         ALTER TABLE part ADD COLUMN z INT;
         ALTER TABLE part REMOVE PARTITIONING;
         ALTER TABLE part PARTITION BY HASH (y) PARTITIONS 4;
         ALTER TABLE part COALESCE PARTITION 2;
         CREATE TEMPORARY TABLE tmp (a INT);
         DROP TEMPORARY TABLE tmp",
    );
    assert_eq!(
        shape(&out, "t3"),
        cols(&[("id", "int", false), ("n", "int", false)])
    );
    assert_eq!(shape(&out, "t4"), shape(&out, "t"));
    assert_eq!(table(&out, "t4").primary_key, Some(s(&["id"])));
    assert_eq!(
        shape(&out, "part"),
        cols(&[
            ("id", "int", false),
            ("y", "int", false),
            ("z", "int", true)
        ])
    );
    assert!(!out.schema.tables.contains_key("tmp"));
}

#[test]
fn alter_ignore_and_online_are_alter_table() {
    let out = ok(
        MY,
        "CREATE TABLE t (a INT, c INT);
         ALTER IGNORE TABLE t ADD UNIQUE (c);
         ALTER ONLINE TABLE t ADD COLUMN d INT, ENGINE=InnoDB",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[("a", "int", true), ("c", "int", true), ("d", "int", true)])
    );
    assert_eq!(table(&out, "t").unique[0].columns, s(&["c"]));
}

#[test]
fn mariadb_alter_clause_conditions_skip_or_apply_as_the_server_does() {
    // Checked against MariaDB 10.11: a clause whose condition fails is skipped with a
    // note (1061 / 1091 / 1054), the others in the statement still apply.
    let out = ok(
        MY,
        "CREATE TABLE p (id INT PRIMARY KEY);
         CREATE TABLE t (id INT, a INT, b INT, c INT, KEY i (a), UNIQUE KEY u (b),
           CONSTRAINT f FOREIGN KEY (c) REFERENCES p (id));
         ALTER TABLE t ADD INDEX IF NOT EXISTS I (b);
         ALTER TABLE t ADD KEY IF NOT EXISTS i (b), ADD UNIQUE INDEX IF NOT EXISTS u (a);
         ALTER TABLE t ADD UNIQUE KEY IF NOT EXISTS u2 (a), ADD INDEX IF NOT EXISTS i2 (b);
         ALTER TABLE t DROP INDEX IF EXISTS nope, DROP KEY IF EXISTS `nope2`;
         ALTER TABLE t DROP INDEX IF EXISTS i2;
         ALTER TABLE t DROP FOREIGN KEY IF EXISTS nope;
         ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY IF NOT EXISTS (c) REFERENCES p (id);
         ALTER TABLE t ADD CONSTRAINT f2 FOREIGN KEY IF NOT EXISTS (a) REFERENCES p (id);
         ALTER TABLE t DROP FOREIGN KEY IF EXISTS f2;
         ALTER TABLE t CHANGE COLUMN IF EXISTS nope z INT, ADD COLUMN d INT;
         ALTER TABLE t MODIFY IF EXISTS nope BIGINT;
         ALTER TABLE t RENAME COLUMN IF EXISTS nope TO z;
         ALTER TABLE t CHANGE IF EXISTS id id2 BIGINT;
         ALTER TABLE t MODIFY COLUMN IF EXISTS ID2 SMALLINT;
         ALTER TABLE t RENAME COLUMN IF EXISTS id2 TO id3;
         ALTER TABLE t DROP INDEX IF EXISTS nope, ENGINE=InnoDB;",
    );
    assert_eq!(
        shape(&out, "t"),
        cols(&[
            ("id3", "smallint", true),
            ("a", "int", true),
            ("b", "int", true),
            ("c", "int", true),
            ("d", "int", true),
        ])
    );
    let t = table(&out, "t");
    let fks: Vec<_> = t.foreign_keys.iter().map(|f| f.name.clone()).collect();
    assert_eq!(fks, [Some("f".to_string())]);
    let uniques: Vec<_> = t.unique.iter().map(|u| u.name.clone()).collect();
    assert_eq!(uniques, [Some("u".to_string()), Some("u2".to_string())]);
    assert!(!out.schema.indexes.keys().any(|k| k == "t.i2"));
    let notes: Vec<&str> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
    for expected in [
        "MariaDB skips it: index `I` already exists",
        "MariaDB skips it: index `i` already exists; index `u` already exists",
        "MariaDB skips it: index `nope` does not exist; index `nope2` does not exist",
        "MariaDB skips it: foreign key `nope` does not exist",
        "MariaDB skips it: foreign key `f` already exists",
        "MariaDB skips it: column `nope` does not exist",
        "MariaDB skips it: index `nope` does not exist",
        // A skipped clause beside clauses that apply is listed too.
        "a clause MariaDB skips: column `nope` does not exist",
    ] {
        assert!(notes.contains(&expected), "{expected}: {notes:#?}");
    }
}

#[test]
fn rename_index_clauses_anywhere_in_an_alter_and_their_conditions() {
    // Checked against MariaDB 10.11: `RENAME INDEX|KEY` mixes with other clauses;
    // `IF EXISTS` on a missing index and `ADD CONSTRAINT IF NOT EXISTS` on a taken check
    // name are notes (1176, 1826), and the statement's other clauses still apply.
    let out = ok(
        MY,
        "CREATE TABLE t (a int, b int, KEY k (a), UNIQUE KEY u (b), CONSTRAINT c CHECK (a > 0));
         ALTER TABLE t RENAME KEY IF EXISTS k TO k2, ADD COLUMN e int;
         ALTER TABLE t RENAME INDEX IF EXISTS nope TO x;
         ALTER TABLE t ADD COLUMN f int, RENAME INDEX u TO u2, RENAME KEY k2 TO k3;
         ALTER TABLE t ADD CONSTRAINT IF NOT EXISTS c CHECK (a > 1);
         ALTER TABLE t ADD CONSTRAINT IF NOT EXISTS c2 CHECK (b > 1), ADD COLUMN d int;",
    );
    assert_eq!(shape(&out, "t").len(), 5);
    assert_eq!(out.schema.indexes.keys().collect::<Vec<_>>(), vec!["t.k3"]);
    let t = table(&out, "t");
    assert_eq!(t.unique[0].name.as_deref(), Some("u2"));
    let checks: Vec<_> = t
        .checks
        .iter()
        .map(|c| c.name.clone().unwrap_or_default())
        .collect();
    assert_eq!(checks, ["c", "c2"]);
    let notes: Vec<&str> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
    for expected in [
        "MariaDB skips it: index `nope` does not exist",
        "MariaDB skips it: check constraint `c` already exists",
    ] {
        assert!(notes.contains(&expected), "{expected}: {notes:#?}");
    }
    let e = one_error(
        MY,
        "CREATE TABLE t (a int);\nALTER TABLE t RENAME INDEX nope TO x",
    );
    assert!(e.message.contains("no index named `nope`"), "{e}");
}

#[test]
fn mariadb_alter_clause_conditions_that_hold_still_fail_like_the_server() {
    // The condition only guards its own object: a clause that runs is checked as usual.
    let e = one_error(
        MY,
        "CREATE TABLE t (a INT);\nALTER TABLE t CHANGE IF EXISTS a b INT, DROP INDEX nope",
    );
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn mariadb_create_and_drop_index_conditions() {
    let out = ok(
        MY,
        "CREATE TABLE t (a INT, b INT, KEY i (a));
         CREATE INDEX IF NOT EXISTS i ON t (b);
         CREATE UNIQUE INDEX IF NOT EXISTS j ON t (b);
         DROP INDEX IF EXISTS nope ON t;
         DROP INDEX IF EXISTS j ON t;",
    );
    let t = table(&out, "t");
    assert!(t.unique.is_empty(), "{:?}", t.unique);
    assert!(out.schema.indexes.keys().any(|k| k == "t.i"));
}

#[test]
fn dynamic_ddl_in_procedures_runs_where_the_server_ran_it() {
    // A helper procedure whose body builds `ALTER TABLE ... DROP INDEX` under a condition:
    // each CALL runs the statement when it applies, and nothing when it would fail.
    let out = ok(
        MY,
        "CREATE TABLE t (id int PRIMARY KEY, code varchar(9), UNIQUE KEY (code), KEY k (id, code));
         CREATE DEFINER=`root`@`localhost` PROCEDURE drop_ix(IN tbl VARCHAR(64), IN ix VARCHAR(64))
         BEGIN
           IF EXISTS (SELECT 1 FROM information_schema.STATISTICS WHERE INDEX_NAME = ix) THEN
             SET @q = CONCAT('ALTER TABLE ', tbl, ' DROP INDEX ', ix, ';');
             PREPARE s FROM @q; EXECUTE s; DEALLOCATE PREPARE s;
           END IF;
         END;
         CALL drop_ix('t', 'code');
         CALL drop_ix('t', 'missing');
         CALL drop_ix('t', 'k');
         CREATE UNIQUE INDEX code ON t (code)",
    );
    assert!(out.warnings.is_empty(), "{:?}", out.warnings);
    let t = table(&out, "t");
    assert_eq!(t.unique.len(), 1, "{:?}", t.unique);
    // `k` is gone; `code` is the unique index created last.
    assert_eq!(
        out.schema.indexes.keys().collect::<Vec<_>>(),
        vec!["t.code"]
    );
    assert!(
        out.skipped
            .iter()
            .any(|s| s.reason.contains("only under a condition")),
        "{:?}",
        out.skipped
    );
}

#[test]
fn a_call_whose_dynamic_sql_cannot_be_followed_is_a_warning() {
    // The body only builds statements; the arguments are not literals, so the replay
    // cannot know the text the server ran.
    let out = replay(
        MY,
        "CREATE TABLE t (id int);
         CREATE PROCEDURE add_col(IN tbl VARCHAR(64), IN col VARCHAR(64))
         BEGIN
           SET @q = CONCAT('ALTER TABLE ', tbl, ' ADD COLUMN ', col, ' INT');
           PREPARE s FROM @q; EXECUTE s; DEALLOCATE PREPARE s;
         END;
         SET @c = 'extra';
         CALL add_col('t', @c);",
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
    let w = &out.warnings[0];
    assert!(
        w.message.contains("procedure `add_col`") && w.message.contains("dynamic SQL"),
        "{w:?}"
    );
    assert_eq!(w.location.line, 8);
    assert_eq!(w.cause.line, 2);
    let call = out
        .skipped
        .iter()
        .find(|s| s.first_line.trim_start().starts_with("CALL add_col"))
        .expect("the CALL is skipped");
    assert!(
        call.reason.contains("dynamic SQL") && !call.reason.contains("cannot change table columns"),
        "{call:?}"
    );
}

#[test]
fn prepared_statements_chosen_by_if_apply_the_branch_that_runs() {
    let add = "SET @s = (SELECT IF((SELECT COUNT(*) FROM information_schema.COLUMNS
                 WHERE TABLE_NAME = 't' AND COLUMN_NAME = 'w') > 0,
                 'SELECT 1', 'ALTER TABLE t ADD COLUMN w int NOT NULL'));
               PREPARE a FROM @s; EXECUTE a; DEALLOCATE PREPARE a;";
    let out = ok(MY, &format!("CREATE TABLE t (id int);\n{add}\n{add}"));
    assert_eq!(
        shape(&out, "t"),
        vec![
            ("id".to_string(), "int".to_string(), true),
            ("w".to_string(), "int".to_string(), false)
        ]
    );
    // Unconditional text: its errors stand, as a plain statement's would.
    let e = one_error(
        MY,
        "CREATE TABLE t (id int);\nPREPARE p FROM 'ALTER TABLE t DROP COLUMN nope';\nEXECUTE p",
    );
    assert!(e.message.contains("nope"), "{e}");
    // A text the replay cannot know stays a skipped statement that may explain conflicts.
    let out = replay(
        MY,
        "CREATE TABLE t (id int, KEY k (id));\nSET @s = (SELECT stmt FROM pending LIMIT 1);
         PREPARE p FROM @s;\nEXECUTE p;\nALTER TABLE t DROP INDEX gone",
    );
    assert!(out.errors.is_empty(), "{:?}", out.errors);
    assert_eq!(out.warnings.len(), 1, "{:?}", out.warnings);
}

#[test]
fn rename_table_of_a_temporary_table() {
    let out = ok(
        MY,
        "CREATE TEMPORARY TABLE tmp (id int);
         RENAME TABLE tmp TO tmp2;
         DROP TABLE tmp2;",
    );
    assert!(out.schema.tables.is_empty());
    let e = one_error(MY, "RENAME TABLE nothing TO other");
    assert!(e.message.contains("does not exist"), "{e}");
}

#[test]
fn create_table_as_select_copies_columns_through_joins_and_grouping() {
    // As MariaDB 10.11 builds it (fixture mysql/edge_cases 0018).
    let out = ok(
        Dialect::Mysql,
        "CREATE TABLE a (id INT NOT NULL PRIMARY KEY, name VARCHAR(20) NOT NULL);
         CREATE TABLE b (aid INT NOT NULL, x CHAR(3) NOT NULL);
         CREATE TABLE l AS SELECT DISTINCT a.id, b.x FROM a LEFT JOIN b ON b.aid = a.id;
         CREATE TABLE r AS SELECT a.name, b.* FROM a RIGHT JOIN b ON b.aid = a.id GROUP BY 1, 2, 3;",
    );
    assert_eq!(
        shape(&out, "l"),
        cols(&[("id", "int", false), ("x", "char(3)", true)])
    );
    assert_eq!(
        shape(&out, "r"),
        cols(&[
            ("name", "varchar(20)", true),
            ("aid", "int", false),
            ("x", "char(3)", false)
        ])
    );
}

#[test]
fn create_table_as_select_arithmetic_reads_display_widths_only_where_mariadb_does() {
    // MariaDB 10.11 (fixture mysql/ctas_expressions): `a + 1` of an `INT` or `INT(5)`
    // column is a `bigint` (display length 12), of a `TINYINT(1)` an `int`; of an
    // `INT(20)` one 21 long, of a `MEDIUMINT(3)` one shorter than of a `MEDIUMINT`: the
    // replay keeps no widths, so after a history declared one of those it does not type
    // integer arithmetic (the table is unknown, its statement recorded as skipped).
    let typed = ok(
        MY,
        "CREATE TABLE s (a INT(5) NOT NULL, f TINYINT(1), v VARCHAR(4));
         CREATE TABLE t AS SELECT a + 1, f * 2 AS g, CONCAT(v, '!') AS w FROM s;",
    );
    assert_eq!(
        shape(&typed, "t"),
        cols(&[
            ("a + 1", "bigint", false),
            ("g", "int", true),
            ("w", "varchar(5)", true)
        ])
    );
    for declared in ["INT(20)", "MEDIUMINT(3)"] {
        let widths = ok(
            MY,
            &format!(
                "CREATE TABLE s (a {declared} NOT NULL);
                 CREATE TABLE t AS SELECT a + 1 FROM s;"
            ),
        );
        assert!(!widths.schema.tables.contains_key("t"), "{declared}");
        assert_eq!(widths.skipped.len(), 1, "{:?}", widths.skipped);
    }
}

#[test]
fn create_table_as_select_makes_auto_increment_a_plain_column_with_default_zero() {
    // MariaDB 10.11: the copy of an AUTO_INCREMENT column is `NOT NULL DEFAULT 0` without
    // AUTO_INCREMENT (nullable from the optional side of an outer join, still DEFAULT 0);
    // other columns keep their default (fixture mysql/edge_cases 0018, drift test).
    let out = ok(
        Dialect::Mysql,
        "CREATE TABLE a (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, n INT NOT NULL DEFAULT 7);
         CREATE TABLE b (id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY, m INT);
         CREATE TABLE c AS SELECT * FROM a;
         CREATE TABLE h AS SELECT b.id, b.m FROM a LEFT JOIN b ON a.id = b.id;",
    );
    let col = |t: &str, c: &str| {
        let col = table(&out, t)
            .columns
            .iter()
            .find(|x| x.name == c)
            .unwrap_or_else(|| panic!("{t}.{c}"));
        (col.default.clone(), col.nullable, col.generated.clone())
    };
    assert_eq!(col("c", "id"), (Some("0".to_owned()), false, None));
    assert_eq!(col("c", "n"), (Some("7".to_owned()), false, None));
    assert_eq!(col("h", "id"), (Some("0".to_owned()), true, None));
    assert_eq!(col("h", "m"), (None, true, None));
}

#[test]
fn system_versioning_without_period_columns_records_hidden_ones() {
    // MariaDB 10.11: `SELECT row_start, row_end FROM t` works; information_schema.COLUMNS
    // lists neither; `DROP SYSTEM VERSIONING` removes them.
    let out = ok(
        MY,
        "CREATE TABLE t (id INT PRIMARY KEY, a INT WITH SYSTEM VERSIONING);
         CREATE TABLE u (id INT) WITH SYSTEM VERSIONING;
         ALTER TABLE u DROP SYSTEM VERSIONING;
         CREATE TABLE w (id INT);
         ALTER TABLE w ADD SYSTEM VERSIONING;
         CREATE TABLE x (id INT, s TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
           e TIMESTAMP(6) GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME (s, e))
           WITH SYSTEM VERSIONING;",
    );
    let hidden = |t: &str| {
        table(&out, t)
            .hidden_columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty.canonical.as_str(), c.nullable))
            .collect::<Vec<_>>()
    };
    let period = vec![
        ("row_start", "timestamp(6)", false),
        ("row_end", "timestamp(6)", false),
    ];
    assert_eq!(hidden("t"), period);
    assert_eq!(hidden("w"), period);
    assert!(hidden("u").is_empty());
    assert!(
        hidden("x").is_empty(),
        "explicit period columns: nothing hidden"
    );
    // `CREATE TABLE ... LIKE` copies the versioning, `AS SELECT` does not.
    let copies = ok(
        MY,
        "CREATE TABLE a (id INT) WITH SYSTEM VERSIONING;
         CREATE TABLE b LIKE a;
         CREATE TABLE c AS SELECT * FROM a;",
    );
    assert_eq!(table(&copies, "b").hidden_columns.len(), 2);
    assert!(table(&copies, "c").hidden_columns.is_empty());
    assert_eq!(shape(&out, "t").len(), 2);
    assert_eq!(
        table(&out, "t").primary_key.as_deref(),
        Some(&["id".to_string()][..])
    );
}

#[test]
fn keys_defined_later_on_a_versioned_table_end_with_its_row_end() {
    let out = ok(
        MY,
        "CREATE TABLE x (id INT NOT NULL, c INT, s TIMESTAMP(6) GENERATED ALWAYS AS ROW START,
           e TIMESTAMP(6) GENERATED ALWAYS AS ROW END, PERIOD FOR SYSTEM_TIME (s, e))
           WITH SYSTEM VERSIONING;
         ALTER TABLE x ADD PRIMARY KEY (id);
         CREATE UNIQUE INDEX xc ON x (c);
         ALTER TABLE x ADD UNIQUE KEY xce (c, e);",
    );
    let t = table(&out, "x");
    assert_eq!(t.primary_key.clone().unwrap(), ["id", "e"]);
    let keys: Vec<_> = t.unique.iter().map(|u| u.columns.join(",")).collect();
    assert_eq!(keys, ["c,e", "c,e"]);
}

#[test]
fn application_time_periods_make_not_null_columns_and_a_check() {
    let out = ok(
        MY,
        "CREATE TABLE b (id INT, room INT, s DATE, e DATE, PERIOD FOR stay (s, e),
           UNIQUE KEY nd (room, stay WITHOUT OVERLAPS), CHECK (id > 0));
         CREATE TABLE p (id INT NOT NULL, f DATETIME, t DATETIME);
         ALTER TABLE p ADD PERIOD IF NOT EXISTS FOR v (f, t), ADD PRIMARY KEY (id, v WITHOUT OVERLAPS);
         ALTER TABLE p ADD PERIOD IF NOT EXISTS FOR v (f, t);
         CREATE TABLE d (id INT, s DATE, e DATE, PERIOD FOR q (s, e));
         ALTER TABLE d DROP PERIOD FOR q;",
    );
    let checks = |t: &str| {
        let mut names: Vec<_> = table(&out, t)
            .checks
            .iter()
            .map(|c| c.name.clone().unwrap())
            .collect();
        names.sort();
        names
    };
    assert_eq!(checks("b"), ["CONSTRAINT_1", "stay"]);
    assert_eq!(checks("p"), ["v"]);
    assert!(checks("d").is_empty());
    assert!(!col(&out, "b", "s").nullable && !col(&out, "b", "e").nullable);
    assert!(!col(&out, "d", "s").nullable, "the columns stay NOT NULL");
    assert_eq!(table(&out, "b").unique[0].columns, ["room", "e", "s"]);
    assert_eq!(
        table(&out, "p").primary_key.clone().unwrap(),
        ["id", "t", "f"]
    );
}

#[test]
fn a_key_without_overlaps_of_an_earlier_period_lists_its_columns() {
    let out = ok(
        MY,
        "CREATE TABLE l (id INT NOT NULL, f DATE, t DATE, PERIOD FOR v (f, t));
         ALTER TABLE l ADD UNIQUE KEY lv (id, v WITHOUT OVERLAPS), ADD COLUMN note TEXT COMMENT 'it''s';",
    );
    assert_eq!(table(&out, "l").unique[0].columns, ["id", "t", "f"]);
    assert!(col(&out, "l", "note").nullable);
}
