<#
.SYNOPSIS
    Build the memtray Windows installer from a fresh clone.

.DESCRIPTION
    Run from anywhere:  powershell -ExecutionPolicy Bypass -File installers\windows\build.ps1

    1. a build venv (build\venv, reused when present) with memtray's dependencies and PyInstaller,
    2. the icons (scripts\make_icons.py),
    3. the PyInstaller bundle (dist\memtray\, one folder, windowed),
    4. the self-test of the frozen app (dist\self-test-windows.json),
    5. the Inno Setup installer (dist\memtray-VERSION-windows-x64-setup.exe).

    Needs Python 3.11+ and Inno Setup 6 (ISCC.exe on PATH, in its default folder, or named by
    the INNO_SETUP_COMPILER environment variable).

.PARAMETER Python
    The interpreter that creates the build venv (default: python).

.PARAMETER SkipSelfTest
    Do not run the frozen app's self-test (for a machine without a usable keychain).
#>
[CmdletBinding()]
param(
    [string]$Python = "python",
    [switch]$SkipSelfTest
)

$ErrorActionPreference = "Stop"
Set-StrictMode -Version Latest

function Invoke-Checked {
    param([string]$FilePath, [string[]]$Arguments)
    & $FilePath @Arguments
    if ($LASTEXITCODE -ne 0) {
        throw "$FilePath $($Arguments -join ' ') failed with exit code $LASTEXITCODE"
    }
}

function Find-InnoCompiler {
    if ($env:INNO_SETUP_COMPILER -and (Test-Path $env:INNO_SETUP_COMPILER)) {
        return $env:INNO_SETUP_COMPILER
    }
    $onPath = Get-Command "ISCC.exe" -ErrorAction SilentlyContinue
    if ($onPath) {
        return $onPath.Source
    }
    $candidates = @(
        (Join-Path ${env:ProgramFiles(x86)} "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:ProgramFiles "Inno Setup 6\ISCC.exe"),
        (Join-Path $env:LOCALAPPDATA "Programs\Inno Setup 6\ISCC.exe")
    )
    foreach ($candidate in $candidates) {
        if (Test-Path $candidate) {
            return $candidate
        }
    }
    throw "Inno Setup 6 was not found. Install it (e.g. 'choco install innosetup') or set INNO_SETUP_COMPILER."
}

$Root = (Resolve-Path (Join-Path $PSScriptRoot "..\..")).Path
Set-Location $Root

$Venv = Join-Path $Root "build\venv"
$Py = Join-Path $Venv "Scripts\python.exe"
Write-Host "==> Build venv: $Venv"
if (-not (Test-Path $Py)) {
    Invoke-Checked $Python @("-m", "venv", $Venv)
}
$Requirements = @(& $Py "scripts\project_info.py" "requirements")
if ($LASTEXITCODE -ne 0) { throw "could not read the requirements from pyproject.toml" }
Invoke-Checked $Py (@("-m", "pip", "install", "--disable-pip-version-check", "--quiet") + $Requirements)
$Version = (& $Py "scripts\project_info.py" "version").Trim()
if ($LASTEXITCODE -ne 0) { throw "could not read the version from pyproject.toml" }
Write-Host "memtray $Version"

Write-Host "==> Icons"
Invoke-Checked $Py @("scripts\make_icons.py")

Write-Host "==> PyInstaller bundle"
Invoke-Checked $Py @("-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
    "--distpath", "dist", "--workpath", "build\pyinstaller", "build.spec")
$Bundle = Join-Path $Root "dist\memtray"
$Exe = Join-Path $Bundle "memtray.exe"

if (-not $SkipSelfTest) {
    # A windowed app has no console: wait for the process and read its JSON report instead.
    Write-Host "==> Self-test of the frozen app"
    $Report = Join-Path $Root "dist\self-test-windows.json"
    $TestHome = Join-Path $Root "build\self-test-home"
    $process = Start-Process -FilePath $Exe -ArgumentList @("--home", "`"$TestHome`"", "self-test", "--out", "`"$Report`"") `
        -Wait -PassThru -NoNewWindow
    if (Test-Path $Report) {
        Get-Content $Report | Write-Host
    }
    if ($process.ExitCode -ne 0) {
        throw "The frozen self-test failed (exit code $($process.ExitCode)); see $Report"
    }
}

Write-Host "==> Inno Setup installer"
$Iscc = Find-InnoCompiler
$Dist = Join-Path $Root "dist"
Invoke-Checked $Iscc @("/Q", "/DAppVersion=$Version", "/DBundleDir=$Bundle", "/DOutputDir=$Dist",
    (Join-Path $PSScriptRoot "memtray.iss"))

$Setup = Join-Path $Dist "memtray-$Version-windows-x64-setup.exe"
$SizeMB = [math]::Round((Get-Item $Setup).Length / (1024 * 1024), 1)
Write-Host "installer $Setup  $SizeMB MB"
