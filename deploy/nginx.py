"""nginx in front of the daphne processes, rendered from deploy/'s one template.

`site_config()` fills nginx-site.conf.in (the http-level site: static files, upstream,
/ws/); `write_standalone()` adds nginx-standalone.conf.in around it for a private nginx
whose pid, logs and temporary files live in one directory (`make prod-up`, the tests).
Standard library only: `make prod-down` runs without the virtualenv.

On a server, render the site file for the system nginx:

    python -m deploy.nginx --listen 80 --static-root /srv/crocevia/static \\
        --upstream 127.0.0.1:8101 --upstream 127.0.0.1:8102 \\
        > /etc/nginx/sites-available/crocevia
"""

import argparse
import os
import pwd
import re
import shutil
from pathlib import Path

DEPLOY_DIR = Path(__file__).resolve().parent
SITE_TEMPLATE = DEPLOY_DIR / "nginx-site.conf.in"
STANDALONE_TEMPLATE = DEPLOY_DIR / "nginx-standalone.conf.in"
TEMP_DIRS = ("body", "proxy", "fastcgi", "uwsgi", "scgi")
_TOKEN = re.compile(r"@([A-Z_]+)@")


def render(template, **values):
    """`template` (a path) with every @NAME@ replaced by values[name]; KeyError when a
    value is missing, ValueError when one is left unused (a typo on either side)."""
    text = Path(template).read_text()
    used = set(_TOKEN.findall(text))
    if unused := set(values) - used:
        raise ValueError(f"{template} has no @{'@, @'.join(sorted(unused))}@")
    return _TOKEN.sub(lambda match: str(values[match.group(1)]), text)


def client_max_body_size(upload_max_bytes):
    """The request body nginx accepts: the largest upload plus 1 MiB for the form."""
    return int(upload_max_bytes) + 1024 * 1024


def site_config(
    *, listen, upstreams, static_root, server_name="_", upload_max_bytes=25 * 1024**2
):
    """The site (http context) balancing over `upstreams` ["host:port", ...]."""
    if not upstreams:
        raise ValueError("at least one daphne process")
    servers = "\n".join(
        f"    server {address} max_fails=1 fail_timeout=10s;" for address in upstreams
    )
    return render(
        SITE_TEMPLATE,
        LISTEN=listen,
        SERVER_NAME=server_name,
        UPSTREAM_SERVERS=servers,
        STATIC_ROOT=str(Path(static_root).resolve()).rstrip("/"),
        CLIENT_MAX_BODY_SIZE=client_max_body_size(upload_max_bytes),
    )


def write_standalone(run_dir, **site):
    """Write run_dir/nginx-site.conf and run_dir/nginx.conf (a private nginx around
    it), create the temporary directories; returns the path of nginx.conf.

    Started as root (CI), the workers stay root rather than nginx's default nobody:
    they read STATIC_ROOT, which may sit in a private directory (a test's tmp_path),
    and this private nginx listens on loopback only. A server's system nginx keeps
    Debian's www-data.
    """
    run_dir = Path(run_dir).resolve()
    for name in TEMP_DIRS:
        (run_dir / "temp" / name).mkdir(parents=True, exist_ok=True)
    site_path = run_dir / "nginx-site.conf"
    site_path.write_text(site_config(**site))
    user = ""
    if os.geteuid() == 0:
        user = f"user {pwd.getpwuid(os.getuid()).pw_name};"
    config_path = run_dir / "nginx.conf"
    config_path.write_text(
        render(
            STANDALONE_TEMPLATE,
            RUN_DIR=run_dir,
            USER_DIRECTIVE=user,
            SITE_CONFIG=site_path,
        )
    )
    return config_path


def binary():
    """The nginx executable (Debian puts it in /usr/sbin, outside a user's PATH), or None."""
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None


def command(config_path, *args, foreground=True):
    """nginx on `config_path` (from write_standalone) with `args`: its master process
    stays in the foreground (a child of whoever started it) unless `foreground` is
    False, as `nginx -t` wants."""
    run_dir = Path(config_path).parent
    argv = [binary() or "nginx", "-p", f"{run_dir}/", "-c", str(config_path)]
    argv += ["-e", str(run_dir / "nginx-error.log")]
    if foreground:
        argv += ["-g", "daemon off;"]
    return [*argv, *args]


def main(argv=None):
    parser = argparse.ArgumentParser(description="Print Crocevia's nginx site config.")
    parser.add_argument("--listen", default="80", help="nginx's listen parameters")
    parser.add_argument("--server-name", default="_")
    parser.add_argument("--static-root", required=True, help="STATIC_ROOT")
    parser.add_argument(
        "--upstream", action="append", required=True, help="host:port of a daphne"
    )
    parser.add_argument(
        "--upload-max-bytes",
        type=int,
        default=int(os.environ.get("UPLOAD_MAX_BYTES", 25 * 1024**2)),
    )
    options = parser.parse_args(argv)
    print(
        site_config(
            listen=options.listen,
            server_name=options.server_name,
            upstreams=options.upstream,
            static_root=options.static_root,
            upload_max_bytes=options.upload_max_bytes,
        ),
        end="",
    )


if __name__ == "__main__":
    main()
