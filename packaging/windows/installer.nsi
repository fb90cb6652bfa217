; plumbline's Windows installer, built by packaging/windows.sh with NSIS (makensis), which
; passes VERSION, FILES (the file list it writes), ICON, SIZE_KB and OUTFILE.
;
; Per user, no administrator: the program goes to %LOCALAPPDATA%\Programs\plumbline, a
; Start-menu entry runs plumblinew.exe (no console window), and an uninstaller is registered
; under the user's "Installed apps". The uninstaller removes every file the installer wrote
; and nothing else; the user's sessions and settings (%LOCALAPPDATA%\plumbline\data) stay
; unless the user says to erase them (asked; `/S` keeps them, `/S /ERASEDATA` erases them),
; and are then erased the way `plumbline data erase` erases them.

; A 64-bit installer for a 64-bit program (and Wine's 64-bit loader runs it in CI).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user
ManifestDPIAware true

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "${FILES}"

!define APP "plumbline"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\plumbline"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "${UNINSTALL_KEY}" "InstallLocation"
BrandingText "${APP} ${VERSION}"

VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1033 "ProductName" "${APP}"
VIAddVersionKey /LANG=1033 "FileDescription" "${APP} ${VERSION} setup"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "Apache-2.0 (plumbline); see licences\LICENCES.txt"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_FINISHPAGE_RUN "$INSTDIR\plumblinew.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Start plumbline"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"

Section "plumbline"
  SetShellVarContext current
  !insertmacro InstallFiles
  SetOutPath "$INSTDIR"
  WriteUninstaller "$INSTDIR\uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\plumblinew.exe" "" "$INSTDIR\plumbline.ico" 0
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "the plumbline developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\plumbline.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "EstimatedSize" ${SIZE_KB}
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  ; The sessions: asked (No by default), or /ERASEDATA on a silent uninstall's command line.
  ${GetParameters} $R0
  ClearErrors
  ${GetOptions} $R0 "/ERASEDATA" $R1
  IfErrors 0 erase
  IfSilent keep
  MessageBox MB_YESNO|MB_ICONQUESTION|MB_DEFBUTTON2 \
    "Also erase your recorded sessions, reports and settings? They are overwritten and removed; \
    this cannot be undone. Choose No to keep them for a later plumbline." IDYES erase IDNO keep
  erase:
    nsExec::ExecToLog '"$INSTDIR\plumbline.exe" data erase --yes'
    Pop $R2
    ; The folder above the data folder, when the erase left it empty.
    RMDir "$LOCALAPPDATA\plumbline"
    StrCmp $R2 "0" keep
    MessageBox MB_OK|MB_ICONEXCLAMATION "Your sessions could not all be erased (plumbline data \
      erase exited $R2); they are in $LOCALAPPDATA\plumbline\data." /SD IDOK
  keep:
  Delete "$SMPROGRAMS\${APP}.lnk"
  !insertmacro RemoveFiles
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  ; Windows' folder for per-user programs, when plumbline was all it held (only if empty).
  RMDir "$LOCALAPPDATA\Programs"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
