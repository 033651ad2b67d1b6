; Inno Setup script of the Windows installer (packaging/README.md).
;
;   pyinstaller --noconfirm packaging\pyinstaller\rpiq.spec      -> dist\rpiq\
;   iscc /DAppVersion=0.1.0 packaging\windows\rpiq.iss          -> dist\rpiq-0.1.0-setup.exe
;
; The version is not written here: CI passes rpiq.__version__ (the single
; source, src/rpiq/__init__.py) with /DAppVersion. Relative paths are relative
; to this file's folder. Needs Inno Setup 6.3 or later (x64compatible).

#if Ver < EncodeVer(6, 3, 0)
  #error Inno Setup 6.3 or later is required
#endif
#ifndef AppVersion
  #error Pass the version: iscc /DAppVersion=X.Y.Z rpiq.iss
#endif

#define AppName "RPIQ Workstation"
#define AppPublisher "RPIQ Workstation developers"
#define GuiExe "rpiq-gui.exe"
#define Root "..\.."

[Setup]
; AppId identifies the product for upgrades and uninstall: never change it.
AppId={{3F4429F2-8B8B-41AF-89B1-8EA5B3DB09FC}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher={#AppPublisher}
VersionInfoVersion={#AppVersion}
VersionInfoProductName={#AppName}
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Machine-wide install by hospital IT (Program Files, system PATH).
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
OutputDir={#Root}\dist
OutputBaseFilename=rpiq-{#AppVersion}-setup
SetupIconFile={#Root}\resources\icons\rpiq.ico
UninstallDisplayIcon={app}\{#GuiExe}
UninstallDisplayName={#AppName} {#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesEnvironment=yes
; A running rpiq-gui.exe holds its files open: offer to close it.
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked
Name: "addtopath"; Description: "Add the rpiq command to the system PATH"; GroupDescription: "Command line:"

[Files]
; The whole PyInstaller onedir bundle: rpiq.exe, rpiq-gui.exe and _internal\.
Source: "{#Root}\dist\rpiq\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#GuiExe}"; WorkingDir: "{app}"; Tasks: desktopicon

[Registry]
Root: HKLM; Subkey: "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"; \
    ValueType: expandsz; ValueName: "Path"; ValueData: "{olddata};{app}"; \
    Tasks: addtopath; Check: NeedsAddPath(ExpandConstant('{app}'))

[Run]
Filename: "{app}\{#GuiExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
const
  EnvironmentKey = 'SYSTEM\CurrentControlSet\Control\Session Manager\Environment';

{ True when Dir is not yet one of the entries of the system PATH. }
function NeedsAddPath(Dir: string): Boolean;
var
  Path: string;
begin
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Path) then
  begin
    Result := True;
    exit;
  end;
  Result := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';') = 0;
end;

{ Uninstall: take {app} out of the system PATH again (the [Registry] entry
  appended it; Inno Setup does not undo a value it only extended). }
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
var
  Path, Dir: string;
  P: Integer;
begin
  if CurUninstallStep <> usPostUninstall then
    exit;
  if not RegQueryStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Path) then
    exit;
  Dir := ExpandConstant('{app}');
  P := Pos(';' + Uppercase(Dir) + ';', ';' + Uppercase(Path) + ';');
  if P = 0 then
    exit;
  { P indexes ';' + Path: the entry starts at P in Path, its ';' before it. }
  if P = 1 then
    Delete(Path, 1, Length(Dir) + 1)
  else
    Delete(Path, P - 1, Length(Dir) + 1);
  RegWriteExpandStringValue(HKEY_LOCAL_MACHINE, EnvironmentKey, 'Path', Path);
end;
