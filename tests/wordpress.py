"""A real WordPress for embed tests: Debian's `wordpress` package served by PHP's
built-in server on a loopback port, on a MariaDB of the test's own (a temporary
datadir, a socket in it, no network), installed without wp-cli.

WordPress refuses to fetch loopback addresses and ports other than 80, 443 and
8080; a must-use plugin of the test's own lets it fetch the debate's host and
port, and nothing else. `WP_HTTP_BLOCK_EXTERNAL` keeps every other request of
WordPress's (updates, the theme directory) off the network.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import textwrap
from abc import ABC, abstractmethod
from pathlib import Path
from urllib.parse import urlsplit

import requests

from live import ROOT, free_port, wait_for

WORDPRESS = Path("/usr/share/wordpress")  # Debian's package
THEME = "twentytwentythree"
PLUGIN = ROOT / "integrations" / "wordpress" / "debate-embeds"
PLUGIN_FILE = "debate-embeds/debate-embeds.php"


def tool(name: str) -> str:
    """A program's path (mariadbd is in /usr/sbin, which a user's PATH may lack)."""
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin") or name


def missing_tools() -> list[str]:
    """What this machine lacks to run WordPress (Debian packages' names)."""
    missing = [name for name in ("php", "mariadbd", "mariadb-install-db") if tool(name) == name]
    if not (WORDPRESS / "wp-settings.php").exists():
        missing.append("wordpress")
    if not (WORDPRESS / "wp-content" / "themes" / THEME).is_dir():
        missing.append(f"wordpress-theme-{THEME}")
    if (
        shutil.which("php")
        and "mysqli"
        not in subprocess.run(["php", "-m"], capture_output=True, text=True).stdout.split()
    ):
        missing.append("php-mysql")
    return missing


def _stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


class StartedClean(ABC):
    """A server of the test's own that leaves nothing behind (no process, no
    folder) when it fails to start."""

    def __enter__(self):
        try:
            self._start()
        except BaseException:
            self.__exit__()
            raise
        return self

    @abstractmethod
    def _start(self) -> None:
        """Start the server."""

    @abstractmethod
    def __exit__(self, *_exc) -> None:
        """Stop it and remove what it made, however far it got."""


class PrivateMariaDB(StartedClean):
    """mariadbd on a temporary datadir, reached through a socket in that folder only
    (--skip-networking): it never touches the machine's MariaDB or a port."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="debate-mariadb-"))
        self.socket = self.dir / "mysqld.sock"
        self.user = ["--user=root"] if os.geteuid() == 0 else []

    def _start(self) -> None:
        subprocess.run(
            [
                tool("mariadb-install-db"),
                "--no-defaults",
                f"--datadir={self.dir / 'data'}",
                "--auth-root-authentication-method=normal",
                "--skip-test-db",
                "--skip-name-resolve",
                *self.user,
            ],
            check=True,
            capture_output=True,
        )
        self.process = subprocess.Popen(
            [
                tool("mariadbd"),
                "--no-defaults",
                f"--datadir={self.dir / 'data'}",
                f"--socket={self.socket}",
                f"--pid-file={self.dir / 'mariadbd.pid'}",
                f"--log-error={self.dir / 'error.log'}",
                "--skip-networking",
                "--skip-log-bin",
                "--innodb-buffer-pool-size=32M",
                "--innodb-flush-log-at-trx-commit=0",
                *self.user,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(self._ready, what="MariaDB")

    def _ready(self) -> bool:
        return self._client("SELECT 1").returncode == 0

    def _client(self, statement: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [
                tool("mariadb"),
                "--no-defaults",
                f"--socket={self.socket}",
                "-u",
                "root",
                "-e",
                statement,
            ],
            capture_output=True,
            text=True,
        )

    def sql(self, statement: str) -> str:
        done = self._client(statement)
        if done.returncode != 0:
            raise RuntimeError(f"MariaDB refused {statement!r}: {done.stderr}")
        return done.stdout

    def __exit__(self, *_exc):
        if hasattr(self, "process"):
            _stop(self.process)
        shutil.rmtree(self.dir, ignore_errors=True)


# Run by `php` from the command line: installs WordPress, publishes posts and turns
# plugins on and off through WordPress's own functions.
TOOLS_PHP = """<?php
$command = $argv[1];
if ($command === 'install') {
    define('WP_INSTALLING', true);
}
require getenv('WP_DOCROOT') . '/wp-load.php';
require_once ABSPATH . 'wp-admin/includes/upgrade.php';
require_once ABSPATH . 'wp-admin/includes/plugin.php';
add_filter('pre_wp_mail', '__return_false');  // no mail from a test's blog
switch ($command) {
    case 'install':
        wp_install('A blog', 'admin', 'admin@example.org', true, '', wp_generate_password());
        switch_theme($argv[2]);
        break;
    case 'post':
        $id = wp_insert_post(array(
            'post_title' => $argv[2],
            'post_content' => $argv[3],
            'post_status' => 'publish',
            'post_author' => 1,
        ), true);
        if (is_wp_error($id)) {
            fwrite(STDERR, $id->get_error_message());
            exit(1);
        }
        echo get_permalink($id);
        break;
    case 'activate':
        $result = activate_plugin($argv[2]);
        if (is_wp_error($result)) {
            fwrite(STDERR, $result->get_error_message());
            exit(1);
        }
        break;
    case 'deactivate':
        deactivate_plugins($argv[2]);
        break;
    case 'option':
        update_option($argv[2], $argv[3]);
        break;
}
"""


class WordPress(StartedClean):
    """Debian's WordPress in a temporary docroot (the package's files hard-linked,
    wp-config.php the test's own), with the theme twentytwentythree, on `mariadb`,
    served by `php -S` at http://localhost:<port>; `debate_url` is the only loopback
    host and port it may fetch."""

    def __init__(self, mariadb: PrivateMariaDB, debate_url: str):
        self.mariadb = mariadb
        self.port = free_port()
        self.url = f"http://localhost:{self.port}"
        self.dir = Path(tempfile.mkdtemp(prefix="debate-wordpress-"))
        self.docroot = self.dir / "wordpress"
        debate = urlsplit(debate_url)
        self.debate_host, self.debate_port = debate.hostname, debate.port

    def _start(self) -> None:
        self._docroot()
        self.mariadb.sql("CREATE DATABASE wordpress")
        self.php("install", THEME)
        self.log = open(self.dir / "php-server.log", "w")  # noqa: SIM115
        self.process = subprocess.Popen(
            ["php", "-S", f"127.0.0.1:{self.port}", "-t", str(self.docroot)],
            cwd=self.docroot,
            env={**os.environ, "PHP_CLI_SERVER_WORKERS": "4"},
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(lambda: requests.get(self.url, timeout=5).status_code == 200, what="WordPress")

    def _docroot(self) -> None:
        try:
            shutil.copytree(WORDPRESS, self.docroot, symlinks=True, copy_function=os.link)
        except OSError:  # another file system: copy instead
            shutil.rmtree(self.docroot, ignore_errors=True)
            shutil.copytree(WORDPRESS, self.docroot, symlinks=True)
        # Debian's wp-config.php reads /etc/wordpress; this one is the test's.
        (self.docroot / "wp-config.php").unlink()
        (self.docroot / "wp-config.php").write_text(
            textwrap.dedent(
                f"""\
                <?php
                define('DB_NAME', 'wordpress');
                define('DB_USER', 'root');
                define('DB_PASSWORD', '');
                define('DB_HOST', 'localhost:{self.mariadb.socket}');
                define('WP_HOME', '{self.url}');
                define('WP_SITEURL', '{self.url}');
                define('WP_HTTP_BLOCK_EXTERNAL', true);
                define('WP_ACCESSIBLE_HOSTS', '{self.debate_host}');
                define('DISABLE_WP_CRON', true);
                define('AUTOMATIC_UPDATER_DISABLED', true);
                $table_prefix = 'wp_';
                if (!defined('ABSPATH')) define('ABSPATH', __DIR__ . '/');
                require_once ABSPATH . 'wp-settings.php';
                """
            )
        )
        mu_plugins = self.docroot / "wp-content" / "mu-plugins"
        mu_plugins.mkdir()
        (mu_plugins / "loopback-debate.php").write_text(
            textwrap.dedent(
                f"""\
                <?php
                /* Plugin Name: Loopback debate (tests only): WordPress may fetch the
                   debate served on {self.debate_host}:{self.debate_port}, and nothing else. */
                add_filter('http_request_host_is_external', function ($external, $host) {{
                    return $external || $host === '{self.debate_host}';
                }}, 10, 2);
                add_filter('http_allowed_safe_ports', function ($ports, $host) {{
                    return $host === '{self.debate_host}' ? array({self.debate_port}) : $ports;
                }}, 10, 2);
                """
            )
        )
        (self.docroot / "wp-content" / "plugins" / "debate-embeds").symlink_to(PLUGIN)
        (self.dir / "tools.php").write_text(TOOLS_PHP)

    def php(self, *args: str) -> str:
        """Run one of tools.php's commands in this WordPress."""
        return subprocess.run(
            ["php", str(self.dir / "tools.php"), *args],
            env={**os.environ, "WP_DOCROOT": str(self.docroot)},
            check=True,
            capture_output=True,
            text=True,
        ).stdout

    def publish(self, title: str, body: str) -> str:
        """A published post; its URL."""
        return self.php("post", title, body)

    def output(self) -> str:
        self.log.flush()
        return (self.dir / "php-server.log").read_text()

    def __exit__(self, *_exc):
        if hasattr(self, "process"):
            _stop(self.process)
        if hasattr(self, "log"):
            self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
