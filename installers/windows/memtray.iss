; Inno Setup 6 script for memtray: a per-user install that needs no administrator.
;
; Built by installers\windows\build.ps1, which passes the version read from pyproject.toml:
;   ISCC.exe /DAppVersion=0.1.0 /DBundleDir=...\dist\memtray /DOutputDir=...\dist memtray.iss
;
; The uninstaller removes the program files, the Start-menu entry and the sign-in entry. It never
; touches the person's memory files, vault, settings or keychain items: those live outside {app}.

#ifndef AppVersion
  #error Pass the version: ISCC /DAppVersion=X.Y.Z memtray.iss (build.ps1 does this)
#endif
#ifndef BundleDir
  #define BundleDir "..\..\dist\memtray"
#endif
#ifndef OutputDir
  #define OutputDir "..\..\dist"
#endif

#define AppName "memtray"
#define AppExeName "memtray.exe"
; The running app holds a named mutex with this name (memtray.ui.single_instance.WINDOWS_MUTEX_NAME),
; so Setup and the uninstaller ask the person to quit memtray before they replace or remove files.
#define AppMutexName "memtray-single-instance-mutex"
; The value memtray.autostart writes under HKCU\...\Run when "Start at login" is on.
#define RunValueName "memtray"

[Setup]
AppId={{5B0C8E2A-6F1D-4C3B-9A7E-2D4F8B1C6E93}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=memtray
AppComments=Keeps your AI coding agent's memory files the same on every laptop, encrypted end to end.
VersionInfoVersion={#AppVersion}
PrivilegesRequired=lowest
DefaultDirName={localappdata}\Programs\{#AppName}
DisableDirPage=yes
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
AppMutex={#AppMutexName}
CloseApplications=yes
RestartApplications=no
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#OutputDir}
OutputBaseFilename=memtray-{#AppVersion}-windows-x64-setup
SetupIconFile=..\..\resources\memtray.ico
UninstallDisplayIcon={app}\{#AppExeName}
UninstallDisplayName={#AppName}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "autostart"; Description: "Start memtray when I sign in"; GroupDescription: "When Windows starts:"

[Files]
Source: "{#BundleDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExeName}"; Comment: "Keep your agent memory files in sync"

[Registry]
; Chosen at install: start memtray at sign-in.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: string; ValueName: "{#RunValueName}"; ValueData: """{app}\{#AppExeName}"""; Flags: uninsdeletevalue; Tasks: autostart
; Turned on later in memtray's settings: the uninstaller removes that entry too.
Root: HKCU; Subkey: "Software\Microsoft\Windows\CurrentVersion\Run"; ValueType: none; ValueName: "{#RunValueName}"; Flags: uninsdeletevalue

[Run]
Filename: "{app}\{#AppExeName}"; Description: "Start memtray now"; Flags: nowait postinstall skipifsilent
