"""Headless Chromium driven by selenium, and what a person does in JupyterLab with it.

Debian's chromium and chromium-driver (/usr/bin/chromium, /usr/bin/chromedriver; tasks.py
installs them as root). `CHROMIUM_MISSING` says why browser tests cannot run, or is "".
Every wait is explicit (WebDriverWait) and bounded by `TIMEOUT`.
"""

import shutil
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from instructor.engine.course import BUILD

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
CHROMIUM_MISSING = ", ".join(
    f"no {path} (Debian package {package})"
    for path, package in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver"))
    if not path.exists()
)
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--window-size=1400,1000",
)  # fmt: skip
TIMEOUT = 90  # seconds: a kernel start and a notebook run on a loaded 2-core machine
SCREENSHOTS = BUILD / "screenshots"
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook in the tab on show


def start_chromium(profile: Path) -> webdriver.Chrome:
    """Chromium with a new empty profile at `profile`; the caller must quit() it."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    return webdriver.Chrome(options=options, service=Service(str(CHROMEDRIVER)))


def screenshot(driver, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    driver.save_screenshot(str(path))
    return path


def wait_for(driver, condition, what: str, timeout: float = TIMEOUT):
    """Wait until condition(driver) is truthy and return it; fail saying what was awaited."""
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.25).until(condition)
    except TimeoutException:
        shot = screenshot(driver, "timeout")
        raise AssertionError(f"after {timeout} s, still waiting for {what} (see {shot})") from None


def reset_profile(profile: Path) -> Path:
    shutil.rmtree(profile, ignore_errors=True)
    profile.mkdir(parents=True)
    return profile


class Notebook:
    """A notebook open in JupyterLab, used through its menus, editors and buttons."""

    def __init__(self, driver):
        self.driver = driver

    def open(self, url: str) -> "Notebook":
        self.driver.get(url)
        wait_for(self.driver, lambda d: self._kernel_idle(), "the notebook and an idle kernel")
        return self

    def _kernel_idle(self) -> bool:
        return bool(self.driver.execute_script(
            f"const cells = document.querySelectorAll('{PANEL} .jp-Cell');"
            f"const status = document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator');"
            "return cells.length > 0 && status && status.dataset.status === 'idle';"
        ))  # fmt: skip

    def menu(self, menu: str, command: str) -> None:
        """Click a main-menu item, e.g. menu("Run", "runmenu:run-all")."""
        labels = self.driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
        next(label for label in labels if label.text == menu).click()
        item = f".lm-Menu-item[data-command='{command}']"
        wait_for(self.driver, lambda d: d.find_element(By.CSS_SELECTOR, item), command).click()

    def menu_labels(self, menu: str) -> list[str]:
        """The visible item labels of a main menu (opened, read, closed)."""
        labels = self.driver.find_elements(By.CSS_SELECTOR, ".lm-MenuBar-itemLabel")
        title = next(label for label in labels if label.text == menu)
        title.click()
        found = wait_for(
            self.driver,
            lambda d: d.find_elements(By.CSS_SELECTOR, ".lm-Menu .lm-Menu-itemLabel"),
            f"the {menu} menu",
        )
        texts = [label.text for label in found if label.is_displayed() and label.text]
        title.click()  # closes the menu
        return texts

    def run(self, command: str) -> None:
        """Run cells with a Run-menu command; wait until one ran and none is left to run."""
        before = self._last_execution()
        self.menu("Run", command)
        wait_for(
            self.driver,
            lambda d: self._last_execution() > before and not self._running(),
            "the cells to finish running",
        )

    def _last_execution(self) -> int:
        return self.driver.execute_script(
            f"return Math.max(0, ...[...document.querySelectorAll('{PANEL} .jp-InputArea-prompt')]"
            ".map(p => parseInt((p.textContent.match(/\\[(\\d+)\\]/) || [0, 0])[1])));"
        )

    def _running(self) -> bool:
        return bool(self.driver.execute_script(
            f"return [...document.querySelectorAll('{PANEL} .jp-InputArea-prompt')]"
            ".some(p => p.textContent.includes('*'))"
            f" || document.querySelector('{PANEL} .jp-Notebook-ExecutionIndicator')"
            ".dataset.status !== 'idle';"
        ))  # fmt: skip

    def _solution_cell(self, function: str):
        cells = self.driver.find_elements(By.CSS_SELECTOR, f"{PANEL} .jp-CodeCell")
        return next(cell for cell in cells if f"def {function}(" in self._source(cell))

    def _source(self, cell) -> str:
        return self.driver.execute_script(
            "const lines = arguments[0].querySelectorAll('.cm-content .cm-line');"
            "return [...lines].map(line => line.textContent).join('\\n');",
            cell,
        )

    def replace_line(self, function: str, old: str, new: str) -> None:
        """In the cell defining `function`, type `new` over the line containing `old`."""
        cell = self._solution_cell(function)
        line = next(
            line
            for line in cell.find_elements(By.CSS_SELECTOR, ".cm-line")
            if old in line.get_attribute("textContent")
        )
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", line)
        line.click()
        actions = webdriver.ActionChains(self.driver)
        actions.send_keys(Keys.END).key_down(Keys.SHIFT).send_keys(Keys.HOME).key_up(Keys.SHIFT)
        actions.send_keys(new).perform()
        wait_for(self.driver, lambda d: new in self._source(cell), f"the typed line {new!r}")

    def run_from(self, function: str) -> None:
        """Select the cell defining `function` and run it and every cell below it."""
        cell = self._solution_cell(function)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", cell)
        cell.find_element(By.CSS_SELECTOR, ".jp-InputPrompt").click()
        self.run("notebook:run-all-below")

    def exercise_output(self, function: str) -> str:
        """The text of every output from the cell defining `function` to the next heading."""
        return self.driver.execute_script(
            """
            const cells = [...document.querySelectorAll(arguments[1] + ' .jp-Cell')];
            const source = c => (c.querySelector('.cm-content') || {}).textContent || '';
            const start = cells.findIndex(c => source(c).includes('def ' + arguments[0] + '('));
            const texts = [];
            for (const cell of cells.slice(start)) {
                if (texts.length && cell.querySelector('.jp-RenderedMarkdown h2')) break;
                texts.push(cell.querySelector('.jp-OutputArea')?.textContent || '');
            }
            return texts.join('\\n');
            """,
            function,
            PANEL,
        )

    def show(self, function: str) -> None:
        """Scroll the cell defining `function` to the top of the notebook (for a screenshot)."""
        cell = self._solution_cell(function)
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'start'})", cell)

    def validate(self, shot: str) -> str:
        """Click Validate; screenshot nbgrader's result dialog, close it, return its text."""
        wait_for(
            self.driver,
            lambda d: next(
                (b for b in d.find_elements(By.CSS_SELECTOR, f"{PANEL} .validate-button")
                 if b.is_displayed() and b.is_enabled()),
                None,
            ),
            "the Validate button",
        ).click()  # fmt: skip
        dialog = wait_for(
            self.driver,
            lambda d: d.find_element(By.CSS_SELECTOR, ".jp-Dialog-content"),
            "nbgrader's validation dialog",
            timeout=TIMEOUT * 2,
        )
        text = dialog.text
        screenshot(self.driver, shot)
        dialog.find_element(By.CSS_SELECTOR, ".jp-Dialog-footer button").click()
        return text
