"""Write IT snippets that leak secrets (env files, app settings, deploy notes) and app logs."""

from __future__ import annotations

from dataward.demo.engine.corpus_build import Builder, Ctx, choose

ENV_LINES = (
    "APP_VERSION={version}",
    "DB_HOST={host}",
    "DB_USER={user}",
    "DB_PASSWORD={pw}",
    "AWS_ACCESS_KEY_ID={aws_id}",
    "AWS_SECRET_ACCESS_KEY={aws_secret}",
    "SLACK_BOT_TOKEN={token}",
    "DATABASE_URL=postgresql://{user}:{pw2}@{host}:{port}/crm",
    "REDIS_URL=redis://:{pw3}@{host2}:6379/0",
    "# example from the runbook, not a real key: AWS_ACCESS_KEY_ID={aws_example}",
    "GIT_COMMIT={sha}",
    "SMTP_PASSWORD=${SMTP_PASSWORD}",
    "BUILD_ID={uuid}",
    "ALERT_EMAIL={agent_email}",
    "STRIPE_SECRET_KEY={token2}",
    "ADMIN_PASSWORD=<set in vault>",
    "# passwords must be at least 12 characters",
)
YAML_LINES = (
    'database:\n  host: {host}\n  port: {port}\n  username: {user}\n  password: "{pw}"',
    "aws:\n  access_key_id: {aws_id}\n  secret_access_key: {aws_secret}",
    'slack:\n  token: {token}\n  channel: "#ops-alerts"',
    "release: {version}\nbuild_time: {epoch}",
    "smtp:\n  user: {agent_email}\n  password: ${SMTP_PASS}",
    "api:\n  key: {apikey}\n  base_url: https://{host}/v2",
)
APPSETTINGS = (
    '{\n  "ConnectionStrings": {\n    "Crm": "Server={host};Database=crm;User Id={user};'
    'Password={pw};Encrypt=true"\n  },\n  "ApiKey": "{apikey}",\n  "Version": "{version}",\n'
    '  "Owner": "{agent_email}"\n}\n'
)
DEPLOY_NOTE = (
    "Deploy notes {date} ({version})\n\nSFTP drop for {company}: {host} port 22, login {user}\n"
    "Private key below - move it to the vault after go-live!\n\n{pem}\n\n"
    "Ping {agent} if the upload fails. Commit {sha}.\n"
)
SCRIPT = (
    "import boto3\n\n# TODO remove before commit ({agent_first})\n"
    's3 = boto3.client(\n    "s3",\n    aws_access_key_id="{aws_id}",\n'
    '    aws_secret_access_key="{aws_secret}",\n)\n'
    'password = os.environ["DB_PASSWORD"]\nconn = psycopg.connect("host={host} user={user} '
    'password={pw}")\n'
)


def config(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write one IT snippet: an env file, YAML, app settings, deploy note or script."""
    kind = ctx.rng.randrange(5)
    if kind == 0:
        b.line("# {company} connector - generated {ts}", ctx)
        for line in choose(ctx, ENV_LINES, 4 + dense, 8 + 2 * dense):
            b.line(line, ctx)
    elif kind == 1:
        b.line("# service config, owner {agent}", ctx)
        for block in choose(ctx, YAML_LINES, 2 + dense // 2, 3 + dense):
            b.line(block, ctx)
    elif kind == 2:
        b.fill(APPSETTINGS, ctx)
    elif kind == 3:
        b.fill(DEPLOY_NOTE, ctx)
    else:
        b.fill(SCRIPT, ctx)


LOG_LINES = (
    "{ts} INFO  auth: login ok user={user} src={ip} ua=app/{version}",
    "{ts} WARN  auth: 3 failed logins for {email} from {ip}",
    "{ts} INFO  api: GET /orders/{order} 200 12ms req={uuid}",
    "{ts} INFO  api: POST /tickets 201 id={ticket} host={host}",
    "{ts} DEBUG sync: cursor={epoch} batch=500",
    "{ts} ERROR mail: bounce for {email} msg={msgid}",
    "{ts} INFO  vpn: session up {ip_lan} -> {host} agent={agent_email}",
    "{ts} INFO  edge: client {ip_six} negotiated TLS1.3",
    "{ts} INFO  billing: charge {invoice} amount={amount} card=****{last_four}",
    "{ts} WARN  billing: rejected test card {test_card} in production",
    "{ts} INFO  release {version} deployed by ci ({sha})",
    "{ts} INFO  crm: updated phone for {cust_id} to {phone}",
)


def app_log(b: Builder, ctx: Ctx, dense: int) -> None:
    """Write application log lines; each line draws its own values."""
    weights = LOG_LINES if dense else tuple(x for x in LOG_LINES if "{email}" not in x)
    for _ in range(ctx.rng.randint(8, 20) * (1 + dense) * ctx.scale):
        b.line(ctx.pick(weights), ctx.fresh())
