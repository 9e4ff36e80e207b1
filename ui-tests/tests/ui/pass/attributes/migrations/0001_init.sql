CREATE TABLE memberships (
    org bigint NOT NULL,
    user_id bigint NOT NULL,
    team_id integer NOT NULL,
    role text NOT NULL,
    PRIMARY KEY (org, user_id, team_id)
);

CREATE TABLE countries (
    code char(2) PRIMARY KEY,
    name text NOT NULL
);
