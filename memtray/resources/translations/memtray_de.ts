<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de" sourcelanguage="en">
<context>
    <name>AboutTab</name>
    <message>
        <source>Version {version}</source>
        <translation>Version {version}</translation>
    </message>
    <message>
        <source>Keeps your AI assistants&apos; memory files the same on all your laptops. Everything is encrypted on this laptop before it leaves.</source>
        <translation>Hält die Gedächtnisdateien Ihrer KI-Assistenten auf all Ihren Laptops gleich. Alles wird auf diesem Laptop verschlüsselt, bevor es ihn verlässt.</translation>
    </message>
    <message>
        <source>This laptop</source>
        <translation>Dieser Laptop</translation>
    </message>
    <message>
        <source>Name:</source>
        <translation>Name:</translation>
    </message>
    <message>
        <source>Storage:</source>
        <translation>Speicherort:</translation>
    </message>
    <message>
        <source>Folders:</source>
        <translation>Ordner:</translation>
    </message>
    <message>
        <source>Last sync:</source>
        <translation>Zuletzt synchronisiert:</translation>
    </message>
    <message>
        <source>When something goes wrong</source>
        <translation>Wenn etwas schiefgeht</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>&amp;Protokollordner öffnen</translation>
    </message>
    <message>
        <source>memtray notes what it did in a log. The log never holds your passphrase or your keys.</source>
        <translation>memtray schreibt in ein Protokoll, was es getan hat. Das Protokoll enthält nie Ihre Passphrase oder Ihre Schlüssel.</translation>
    </message>
    <message>
        <source>none yet</source>
        <translation>noch keine</translation>
    </message>
</context>
<context>
    <name>ActivityTab</name>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>Details</source>
        <translation>Details</translation>
    </message>
    <message>
        <source>What happened</source>
        <translation>Was geschah</translation>
    </message>
    <message>
        <source>Where</source>
        <translation>Wo</translation>
    </message>
    <message>
        <source>Double-click a file to see its earlier versions.</source>
        <translation>Doppelklicken Sie auf eine Datei, um ihre früheren Versionen zu sehen.</translation>
    </message>
    <message>
        <source>Rece&amp;nt activity</source>
        <translation>Letzte Aktivitäte&amp;n</translation>
    </message>
    <message>
        <source>Sent {file} to your other laptops</source>
        <translation>{file} an Ihre anderen Laptops gesendet</translation>
    </message>
    <message>
        <source>Deleted {file} on your other laptops too</source>
        <translation>{file} auch auf Ihren anderen Laptops gelöscht</translation>
    </message>
    <message>
        <source>Received {file} from {laptop}</source>
        <translation>{file} von {laptop} empfangen</translation>
    </message>
    <message>
        <source>Received a newer {file} from another laptop</source>
        <translation>Neuere Fassung von {file} von einem anderen Laptop empfangen</translation>
    </message>
    <message>
        <source>Deleted {file} here, as it was deleted on another laptop</source>
        <translation>{file} hier gelöscht, weil es auf einem anderen Laptop gelöscht wurde</translation>
    </message>
    <message>
        <source>Combined the changes to {file} from this laptop and {laptop}</source>
        <translation>Die Änderungen an {file} von diesem Laptop und {laptop} zusammengeführt</translation>
    </message>
    <message>
        <source>Combined the changes to {file} from two laptops</source>
        <translation>Die Änderungen an {file} von zwei Laptops zusammengeführt</translation>
    </message>
    <message>
        <source>Combined {file} from this laptop and {laptop}</source>
        <translation>{file} von diesem Laptop und {laptop} zusammengeführt</translation>
    </message>
    <message>
        <source>Combined {file} from two laptops</source>
        <translation>{file} von zwei Laptops zusammengeführt</translation>
    </message>
    <message>
        <source>{file} needs a look: this laptop and {laptop} changed the same lines</source>
        <translation>{file} ist zu prüfen: Dieser Laptop und {laptop} haben dieselben Zeilen geändert</translation>
    </message>
    <message>
        <source>{file} needs a look: two laptops changed the same lines</source>
        <translation>{file} ist zu prüfen: Zwei Laptops haben dieselben Zeilen geändert</translation>
    </message>
    <message>
        <source>Kept both texts of {file}: your text was saved as a copy</source>
        <translation>Beide Texte von {file} behalten: Ihr Text wurde als Kopie gespeichert</translation>
    </message>
    <message>
        <source>{file} was settled on {laptop}</source>
        <translation>{file} wurde auf {laptop} geklärt</translation>
    </message>
    <message>
        <source>You chose which text of {file} to keep</source>
        <translation>Sie haben gewählt, welcher Text von {file} bleibt</translation>
    </message>
    <message>
        <source>Could not write {file} on this laptop</source>
        <translation>{file} konnte auf diesem Laptop nicht geschrieben werden</translation>
    </message>
    <message>
        <source>Placed {folder}&apos;s memory on this laptop</source>
        <translation>Das Gedächtnis von {folder} auf diesem Laptop abgelegt</translation>
    </message>
    <message>
        <source>Brought back an earlier version of {file}</source>
        <translation>Eine frühere Version von {file} wiederhergestellt</translation>
    </message>
    <message>
        <source>Sent every file again because the storage had lost some</source>
        <translation>Alle Dateien erneut gesendet, weil am Speicherort einige verloren gegangen waren</translation>
    </message>
    <message>
        <source>Held back {file}: it looks like it holds a password or key</source>
        <translation>{file} zurückgehalten: Es sieht aus, als enthielte es ein Passwort oder einen Schlüssel</translation>
    </message>
    <message>
        <source>…and {count} more, not listed</source>
        <translation>…und {count} weitere, nicht aufgeführt</translation>
    </message>
    <message>
        <source>…and more, not listed</source>
        <translation>…und weitere, nicht aufgeführt</translation>
    </message>
    <message>
        <source>Something else happened to {file}</source>
        <translation>Mit {file} ist etwas anderes geschehen</translation>
    </message>
    <message>
        <source>The copy is {copy}</source>
        <translation>Die Kopie ist {copy}</translation>
    </message>
    <message>
        <source>Earlier &amp;versions</source>
        <translation>Frühere &amp;Versionen</translation>
    </message>
    <message>
        <source>&amp;What needs a look</source>
        <translation>Zu &amp;prüfen</translation>
    </message>
    <message>
        <source>Activity</source>
        <translation>Aktivität</translation>
    </message>
    <message>
        <source>&amp;What needs a look ({count})</source>
        <translation>Zu &amp;prüfen ({count})</translation>
    </message>
    <message>
        <source>Nothing has happened yet.</source>
        <translation>Bisher ist nichts passiert.</translation>
    </message>
</context>
<context>
    <name>AddLaptopDialog</name>
    <message>
        <source>Add a laptop</source>
        <translation>Laptop hinzufügen</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Or scan this QR code: it holds the same setup code, in full.</source>
        <translation>Oder scannen Sie diesen QR-Code: Er enthält denselben Einrichtungscode, vollständig.</translation>
    </message>
    <message>
        <source>Making a setup code…</source>
        <translation>Einrichtungscode wird erstellt…</translation>
    </message>
    <message>
        <source>Copied.</source>
        <translation>Kopiert.</translation>
    </message>
    <message>
        <source>On the other laptop, install memtray, choose “Join from another laptop”, type this code and then your passphrase.</source>
        <translation>Installieren Sie memtray auf dem anderen Laptop, wählen Sie „Diesen Laptop hinzufügen“ und geben Sie diesen Code und dann Ihre Passphrase ein.</translation>
    </message>
    <message>
        <source>On the other laptop, install memtray, choose “Join from another laptop”, paste this code (too long to type: copy it over, or scan the QR code) and then your passphrase.</source>
        <translation>Installieren Sie memtray auf dem anderen Laptop, wählen Sie „Diesen Laptop hinzufügen“, fügen Sie diesen Code ein (zu lang zum Abtippen: kopieren Sie ihn hinüber oder scannen Sie den QR-Code) und geben Sie dann Ihre Passphrase ein.</translation>
    </message>
</context>
<context>
    <name>ConflictsPane</name>
    <message>
        <source>File</source>
        <translation>Datei</translation>
    </message>
    <message>
        <source>Set aside, from</source>
        <translation>Beiseitegelegt, von</translation>
    </message>
    <message>
        <source>In the file, from</source>
        <translation>In der Datei, von</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>&amp;Keep the text in the file</source>
        <translation>Text in der &amp;Datei behalten</translation>
    </message>
    <message>
        <source>Keep b&amp;oth</source>
        <translation>B&amp;eide behalten</translation>
    </message>
    <message>
        <source>Both texts in one file; a line both have appears once.</source>
        <translation>Beide Texte in einer Datei; eine Zeile, die beide haben, steht nur einmal darin.</translation>
    </message>
    <message>
        <source>Ed&amp;it, then keep</source>
        <translation>Bearbe&amp;iten, dann behalten</translation>
    </message>
    <message>
        <source>&amp;Save</source>
        <translation>&amp;Speichern</translation>
    </message>
    <message>
        <source>Cance&amp;l</source>
        <translation>Abb&amp;rechen</translation>
    </message>
    <message>
        <source>Two laptops changed the same lines. Look at both texts and keep the right one.</source>
        <translation>Zwei Laptops haben dieselben Zeilen geändert. Sehen Sie sich beide Texte an und behalten Sie den richtigen.</translation>
    </message>
    <message>
        <source>No conflicts. Everything agrees.</source>
        <translation>Nichts zu prüfen. Alles stimmt überein.</translation>
    </message>
    <message>
        <source>Done. Every laptop will get the text you kept.</source>
        <translation>Erledigt. Jeder Laptop bekommt den Text, den Sie behalten haben.</translation>
    </message>
    <message>
        <source>this laptop</source>
        <translation>dieser Laptop</translation>
    </message>
    <message>
        <source>In the file now</source>
        <translation>Jetzt in der Datei</translation>
    </message>
    <message>
        <source>Set aside</source>
        <translation>Beiseitegelegt</translation>
    </message>
    <message>
        <source>Keep the set-aside &amp;text</source>
        <translation>Den beiseitegelegten &amp;Text behalten</translation>
    </message>
    <message>
        <source>In the file now — from {laptop}</source>
        <translation>Jetzt in der Datei — von: {laptop}</translation>
    </message>
    <message>
        <source>Set aside — from {laptop}</source>
        <translation>Beiseitegelegt — von: {laptop}</translation>
    </message>
    <message>
        <source>Keep {laptop}&apos;s &amp;text</source>
        <translation>Den &amp;Text behalten (von: {laptop})</translation>
    </message>
    <message>
        <source>Your text for {path}. It starts as both texts combined; every laptop gets exactly what you save.</source>
        <translation>Ihr Text für {path}. Am Anfang stehen beide Texte zusammengeführt; jeder Laptop bekommt genau das, was Sie speichern.</translation>
    </message>
    <message>
        <source>Saving your choice…</source>
        <translation>Ihre Wahl wird gespeichert…</translation>
    </message>
</context>
<context>
    <name>FileRules</name>
    <message>
        <source>Claude Code&apos;s memory: CLAUDE.md and each project&apos;s memory folder.</source>
        <translation>Das Gedächtnis von Claude Code: CLAUDE.md und der Gedächtnisordner jedes Projekts.</translation>
    </message>
    <message>
        <source>Codex&apos;s memory: AGENTS.md.</source>
        <translation>Das Gedächtnis von Codex: AGENTS.md.</translation>
    </message>
    <message>
        <source>Gemini CLI&apos;s memory: GEMINI.md.</source>
        <translation>Das Gedächtnis von Gemini CLI: GEMINI.md.</translation>
    </message>
    <message>
        <source>Windsurf&apos;s memories: every file in its memories folder.</source>
        <translation>Die Erinnerungen von Windsurf: jede Datei in seinem Ordner „memories“.</translation>
    </message>
    <message>
        <source>GitHub Copilot&apos;s instructions: its .md files and its agents and instructions folders, not its settings, logs or sessions.</source>
        <translation>Die Anweisungen von GitHub Copilot: seine .md-Dateien und seine Ordner „agents“ und „instructions“, nicht seine Einstellungen, Protokolle oder Sitzungen.</translation>
    </message>
    <message>
        <source>The project&apos;s CLAUDE.md, AGENTS.md, GEMINI.md, Copilot and Cursor instructions.</source>
        <translation>CLAUDE.md, AGENTS.md, GEMINI.md sowie die Copilot- und Cursor-Anweisungen des Projekts.</translation>
    </message>
    <message>
        <source>Every file in this folder.</source>
        <translation>Jede Datei in diesem Ordner.</translation>
    </message>
    <message>
        <source>Your own choice of files (see Advanced).</source>
        <translation>Ihre eigene Auswahl an Dateien (siehe „Erweitert“).</translation>
    </message>
</context>
<context>
    <name>FirstSyncPage</name>
    <message>
        <source>Bringing your files over</source>
        <translation>Ihre Dateien werden übertragen</translation>
    </message>
    <message>
        <source>memtray is copying your memory files to this laptop.</source>
        <translation>memtray kopiert Ihre Gedächtnisdateien auf diesen Laptop.</translation>
    </message>
    <message>
        <source>&amp;Try again</source>
        <translation>&amp;Erneut versuchen</translation>
    </message>
    <message>
        <source>memtray now lives in the tray next to the clock. Click its icon to sync at once; right-click it for settings, recent activity and your folders.</source>
        <translation>memtray wohnt jetzt im Infobereich neben der Uhr. Klicken Sie auf das Symbol, um sofort zu synchronisieren; ein Rechtsklick führt zu Einstellungen, letzten Aktivitäten und Ihren Ordnern.</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Wird synchronisiert…</translation>
    </message>
    <message>
        <source>&lt;b&gt;All done.&lt;/b&gt; {summary} memtray keeps this laptop in sync from now on.</source>
        <translation>&lt;b&gt;Fertig.&lt;/b&gt; {summary} memtray hält diesen Laptop ab jetzt synchron.</translation>
    </message>
    <message>
        <source>Your folders on this laptop:</source>
        <translation>Ihre Ordner auf diesem Laptop:</translation>
    </message>
</context>
<context>
    <name>FoldersTab</name>
    <message>
        <source>Folder</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Files</source>
        <translation>Dateien</translation>
    </message>
    <message>
        <source>On this laptop</source>
        <translation>Auf diesem Laptop</translation>
    </message>
    <message>
        <source>&amp;Choose where…</source>
        <translation>Ort &amp;wählen…</translation>
    </message>
    <message>
        <source>&amp;Move to…</source>
        <translation>&amp;Verschieben nach…</translation>
    </message>
    <message>
        <source>C&amp;heck for secrets before sending</source>
        <translation>Vor dem Senden auf &amp;Geheimnisse prüfen</translation>
    </message>
    <message>
        <source>A file with something that looks like a password or an API key stays on this laptop until you remove it or choose Send anyway.</source>
        <translation>Eine Datei mit etwas, das wie ein Passwort oder ein API-Schlüssel aussieht, bleibt auf diesem Laptop, bis Sie es entfernen oder „Trotzdem senden“ wählen.</translation>
    </message>
    <message>
        <source>U&amp;ndo</source>
        <translation>&amp;Rückgängig</translation>
    </message>
    <message>
        <source>&amp;Sync files matching:</source>
        <translation>Diese Dateien &amp;synchronisieren:</translation>
    </message>
    <message>
        <source>S&amp;kip files matching:</source>
        <translation>Diese Dateien a&amp;uslassen:</translation>
    </message>
    <message>
        <source>Add memory folders</source>
        <translation>Gedächtnisordner hinzufügen</translation>
    </message>
    <message>
        <source>A&amp;dd checked</source>
        <translation>Ausgewählte hin&amp;zufügen</translation>
    </message>
    <message>
        <source>Add a &amp;project…</source>
        <translation>&amp;Projekt hinzufügen…</translation>
    </message>
    <message>
        <source>AI tools memtray found on this laptop that are not synced yet.</source>
        <translation>KI-Werkzeuge, die memtray auf diesem Laptop gefunden hat und die noch nicht synchronisiert werden.</translation>
    </message>
    <message>
        <source>Folders</source>
        <translation>Ordner</translation>
    </message>
    <message>
        <source>Stop s&amp;yncing…</source>
        <translation>&amp;Nicht mehr synchronisieren…</translation>
    </message>
    <message>
        <source>Ad&amp;vanced: file patterns</source>
        <translation>&amp;Erweitert: Dateimuster</translation>
    </message>
    <message>
        <source>File patterns</source>
        <translation>Dateimuster</translation>
    </message>
    <message>
        <source>One pattern per line, like *.md or memory/**. Leave “Sync” empty for every file. Saved as you type.</source>
        <translation>Ein Muster pro Zeile, etwa *.md oder memory/**. Lassen Sie „Synchronisieren“ leer für jede Datei. Wird beim Tippen gespeichert.</translation>
    </message>
    <message>
        <source>These folders are kept the same on all your laptops. Changes are saved as soon as you make them.</source>
        <translation>Diese Ordner werden auf all Ihren Laptops gleich gehalten. Änderungen werden sofort gespeichert.</translation>
    </message>
    <message>
        <source>Not on this laptop yet — choose where it goes</source>
        <translation>Noch nicht auf diesem Laptop — wählen Sie, wohin er soll</translation>
    </message>
    <message>
        <source>Where should “{name}” live?</source>
        <translation>Wo soll „{name}“ liegen?</translation>
    </message>
    <message>
        <source>memtray will keep the files of “{name}” in this folder on this laptop.</source>
        <translation>memtray legt die Dateien von „{name}“ auf diesem Laptop in diesem Ordner ab.</translation>
    </message>
    <message>
        <source>Use this folder</source>
        <translation>Diesen Ordner verwenden</translation>
    </message>
    <message>
        <source>Add a project</source>
        <translation>Projekt hinzufügen</translation>
    </message>
    <message>
        <source>Pick a project folder. memtray syncs its CLAUDE.md, AGENTS.md, GEMINI.md and Cursor rules.</source>
        <translation>Wählen Sie einen Projektordner. memtray synchronisiert dessen CLAUDE.md, AGENTS.md, GEMINI.md und Cursor-Regeln.</translation>
    </message>
    <message>
        <source>Add project</source>
        <translation>Projekt hinzufügen</translation>
    </message>
    <message>
        <source>Every AI tool found on this laptop is already synced.</source>
        <translation>Jedes auf diesem Laptop gefundene KI-Werkzeug wird schon synchronisiert.</translation>
    </message>
    <message>
        <source>Saved which files “{name}” syncs.</source>
        <translation>Gespeichert, welche Dateien „{name}“ synchronisiert.</translation>
    </message>
    <message>
        <source>Put back the earlier file patterns of “{name}”.</source>
        <translation>Die früheren Dateimuster von „{name}“ wiederhergestellt.</translation>
    </message>
    <message>
        <source>Stop syncing “{name}”?</source>
        <translation>„{name}“ nicht mehr synchronisieren?</translation>
    </message>
    <message>
        <source>memtray will stop syncing this folder on all your laptops. The files themselves stay where they are.</source>
        <translation>memtray synchronisiert diesen Ordner dann auf keinem Ihrer Laptops mehr. Die Dateien selbst bleiben, wo sie sind.</translation>
    </message>
    <message>
        <source>Stop syncing</source>
        <translation>Nicht mehr synchronisieren</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
</context>
<context>
    <name>GeneralTab</name>
    <message>
        <source>General</source>
        <translation>Allgemein</translation>
    </message>
    <message>
        <source>Changes are saved as soon as you make them.</source>
        <translation>Änderungen werden sofort gespeichert.</translation>
    </message>
    <message>
        <source>Syncing</source>
        <translation>Synchronisieren</translation>
    </message>
    <message>
        <source>Notifications</source>
        <translation>Benachrichtigungen</translation>
    </message>
    <message>
        <source>This laptop</source>
        <translation>Dieser Laptop</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Umbenennen</translation>
    </message>
    <message>
        <source>This laptop&apos;s name:</source>
        <translation>Name dieses Laptops:</translation>
    </message>
    <message>
        <source>How your other laptops list this one. They show a new name after its next sync.</source>
        <translation>So führen Ihre anderen Laptops diesen auf. Einen neuen Namen zeigen sie nach seiner nächsten Synchronisierung.</translation>
    </message>
    <message>
        <source>Renaming…</source>
        <translation>Wird umbenannt…</translation>
    </message>
    <message>
        <source>This laptop is now called “{name}”. Your other laptops show it after the next sync.</source>
        <translation>Dieser Laptop heißt jetzt „{name}“. Ihre anderen Laptops zeigen das nach der nächsten Synchronisierung.</translation>
    </message>
</context>
<context>
    <name>HeldFileDialog</name>
    <message>
        <source>A file was held back</source>
        <translation>Eine Datei wurde zurückgehalten</translation>
    </message>
    <message>
        <source>{path} was not sent: line {line} looks like {finding}.</source>
        <translation>{path} wurde nicht gesendet: Zeile {line} sieht aus wie {finding}.</translation>
    </message>
    <message>
        <source>&amp;Remove it</source>
        <translation>&amp;Entfernen</translation>
    </message>
    <message>
        <source>Send &amp;anyway</source>
        <translation>Trotzdem &amp;senden</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>Schl&amp;ießen</translation>
    </message>
    <message>
        <source>memtray checks files for passwords and keys before they leave this laptop. Remove it opens the file so you can delete line {line}; the next sync sends the file. Send anyway sends it as it is, to every laptop, and keeps it in the file&apos;s history.</source>
        <translation>memtray prüft Dateien auf Passwörter und Schlüssel, bevor sie diesen Laptop verlassen. „Entfernen“ öffnet die Datei, damit Sie Zeile {line} löschen können; die nächste Synchronisierung sendet die Datei. „Trotzdem senden“ sendet sie so, wie sie ist, an jeden Laptop und bewahrt sie im Verlauf der Datei auf.</translation>
    </message>
    <message>
        <source>No program on this laptop opens {name}. Open {where} yourself and delete line {line}.</source>
        <translation>Kein Programm auf diesem Laptop öffnet {name}. Öffnen Sie {where} selbst und löschen Sie Zeile {line}.</translation>
    </message>
    <message>
        <source>memtray could not open the file</source>
        <translation>memtray konnte die Datei nicht öffnen</translation>
    </message>
    <message>
        <source>Sending…</source>
        <translation>Wird gesendet…</translation>
    </message>
</context>
<context>
    <name>HubPage</name>
    <message>
        <source>Where should memtray keep the encrypted copy?</source>
        <translation>Wo soll memtray die verschlüsselte Kopie aufbewahren?</translation>
    </message>
    <message>
        <source>Every laptop sends to and reads from this storage. It only ever holds encrypted data.</source>
        <translation>Jeder Laptop sendet an diesen Speicherort und liest von ihm. Er enthält nur verschlüsselte Daten.</translation>
    </message>
    <message>
        <source>Another &amp;folder your laptops share (a network folder, a USB stick)</source>
        <translation>&amp;Ein anderer Ordner, den Ihre Laptops teilen (ein Netzwerkordner, ein USB-Stick)</translation>
    </message>
    <message>
        <source>Choose the folder your laptops share</source>
        <translation>Wählen Sie den Ordner, den Ihre Laptops gemeinsam nutzen</translation>
    </message>
    <message>
        <source>A &amp;memtray server</source>
        <translation>Ein &amp;memtray-Server</translation>
    </message>
    <message>
        <source>A WebDA&amp;V server (Nextcloud, ownCloud and others)</source>
        <translation>Ein WebDA&amp;V-Server (Nextcloud, ownCloud und andere)</translation>
    </message>
    <message>
        <source>An S&amp;3 bucket (Amazon S3, MinIO, Cloudflare R2, Backblaze B2)</source>
        <translation>Ein S&amp;3-Bucket (Amazon S3, MinIO, Cloudflare R2, Backblaze B2)</translation>
    </message>
    <message>
        <source>Your {service} folder</source>
        <translation>Ihr {service}-Ordner</translation>
    </message>
    <message>
        <source>This folder already holds synced memory. To use it, go back and choose to join.</source>
        <translation>Dieser Ordner enthält schon ein synchronisiertes Gedächtnis. Um es zu nutzen, gehen Sie zurück und wählen „Diesen Laptop hinzufügen“.</translation>
    </message>
    <message>
        <source>memtray keeps its files in {folder}, out of the way of yours.</source>
        <translation>memtray legt seine Dateien in {folder} ab, getrennt von Ihren.</translation>
    </message>
    <message>
        <source>Allow plain &amp;http (only on my own network)</source>
        <translation>Unverschlüsseltes &amp;http erlauben (nur in meinem eigenen Netzwerk)</translation>
    </message>
    <message>
        <source>Folders your cloud drive already copies between laptops:</source>
        <translation>Ordner, die Ihr Cloud-Speicher schon zwischen Laptops abgleicht:</translation>
    </message>
</context>
<context>
    <name>HubTab</name>
    <message>
        <source>Allow plain &amp;http (only on my own network)</source>
        <translation>Unverschlüsseltes http &amp;erlauben (nur in meinem eigenen Netzwerk)</translation>
    </message>
    <message>
        <source>&amp;Test connection</source>
        <translation>Verbindung &amp;testen</translation>
    </message>
    <message>
        <source>Add&amp;ress:</source>
        <translation>Ad&amp;resse:</translation>
    </message>
    <message>
        <source>Access key &amp;ID:</source>
        <translation>Zugriffsschlüssel-&amp;ID:</translation>
    </message>
    <message>
        <source>Re&amp;pair…</source>
        <translation>Re&amp;parieren…</translation>
    </message>
    <message>
        <source>Repair</source>
        <translation>Reparieren</translation>
    </message>
    <message>
        <source>Repairing…</source>
        <translation>Wird repariert…</translation>
    </message>
    <message>
        <source>Repaired. This laptop sent its files again, and syncing goes on.</source>
        <translation>Repariert. Dieser Laptop hat seine Dateien erneut gesendet, und die Synchronisierung geht weiter.</translation>
    </message>
    <message>
        <source>&amp;Save storage</source>
        <translation>Speicherort &amp;sichern</translation>
    </message>
    <message>
        <source>Storage</source>
        <translation>Speicherort</translation>
    </message>
    <message>
        <source>Your storage is where memtray keeps the encrypted copy your laptops swap changes through. Without your passphrase nobody can read it, not even whoever runs it. Change the address only if the storage moved; each laptop keeps its own copy of this setting.</source>
        <translation>Am Speicherort bewahrt memtray die verschlüsselte Kopie auf, über die Ihre Laptops Änderungen austauschen. Ohne Ihre Passphrase kann niemand sie lesen, auch nicht, wer den Speicherort betreibt. Ändern Sie die Adresse nur, wenn der Speicherort umgezogen ist; jeder Laptop hat seine eigene Kopie dieser Einstellung.</translation>
    </message>
    <message>
        <source>If the storage lost data</source>
        <translation>Wenn der Speicherort Daten verloren hat</translation>
    </message>
    <message>
        <source>Use this only if syncing stopped with a message that the storage lost or altered data, and whoever runs it cannot bring it back.</source>
        <translation>Verwenden Sie dies nur, wenn die Synchronisierung mit der Meldung angehalten hat, dass der Speicherort Daten verloren oder verändert hat, und wer ihn betreibt, sie nicht zurückholen kann.</translation>
    </message>
    <message>
        <source>Carry on without the data the storage lost?</source>
        <translation>Ohne die Daten weitermachen, die der Speicherort verloren hat?</translation>
    </message>
    <message>
        <source>This laptop sends all its files to the storage again and stops waiting for the lost data; your other laptops then send theirs again too. Changes that only ever reached the lost data can&apos;t be brought back. Files on this laptop are not changed.</source>
        <translation>Dieser Laptop sendet alle seine Dateien erneut an den Speicherort und wartet nicht mehr auf die verlorenen Daten; Ihre anderen Laptops senden ihre Dateien dann ebenfalls erneut. Änderungen, die nur in den verlorenen Daten standen, lassen sich nicht zurückholen. Dateien auf diesem Laptop werden nicht verändert.</translation>
    </message>
    <message>
        <source>Nothing to repair: the storage has all its data.</source>
        <translation>Nichts zu reparieren: Der Speicherort hat alle seine Daten.</translation>
    </message>
    <message>
        <source>A folder your cloud drive, NAS or USB stick copies</source>
        <translation>Ein Ordner, den Ihr Cloud-Speicher, NAS oder USB-Stick kopiert</translation>
    </message>
    <message>
        <source>A memtray server</source>
        <translation>Ein memtray-Server</translation>
    </message>
    <message>
        <source>A WebDAV server</source>
        <translation>Ein WebDAV-Server</translation>
    </message>
    <message>
        <source>An S3 bucket</source>
        <translation>Ein S3-Bucket</translation>
    </message>
    <message>
        <source>memtray does not know this kind of address</source>
        <translation>Diese Art von Adresse kennt memtray nicht</translation>
    </message>
    <message>
        <source>Server pass&amp;word:</source>
        <translation>Server-Pass&amp;wort:</translation>
    </message>
    <message>
        <source>Pass&amp;word:</source>
        <translation>Pass&amp;wort:</translation>
    </message>
    <message>
        <source>Secret access ke&amp;y:</source>
        <translation>Geheimer &amp;Zugriffsschlüssel:</translation>
    </message>
    <message>
        <source>Leave empty to keep the one memtray remembers</source>
        <translation>Leer lassen, um den gespeicherten Wert zu behalten</translation>
    </message>
    <message>
        <source>Testing the connection…</source>
        <translation>Verbindung wird getestet…</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>memtray reached the storage. It is empty.</source>
        <translation>memtray hat den Speicherort erreicht. Er ist leer.</translation>
    </message>
    <message>
        <source>memtray reached the storage and found your synced memory.</source>
        <translation>memtray hat den Speicherort erreicht und Ihr synchronisiertes Gedächtnis gefunden.</translation>
    </message>
    <message>
        <source>memtray reached the storage. It holds a different synced memory.</source>
        <translation>memtray hat den Speicherort erreicht. Er enthält ein anderes synchronisiertes Gedächtnis.</translation>
    </message>
    <message>
        <source>Tested at {time}: {result}</source>
        <translation>Geprüft um {time}: {result}</translation>
    </message>
    <message>
        <source>Saved. memtray now syncs through this storage.</source>
        <translation>Gespeichert. memtray synchronisiert jetzt über diesen Speicherort.</translation>
    </message>
</context>
<context>
    <name>JoinPage</name>
    <message>
        <source>&amp;Join</source>
        <translation>&amp;Hinzufügen</translation>
    </message>
    <message>
        <source>I have a &amp;setup code</source>
        <translation>Ich habe einen &amp;Einrichtungscode</translation>
    </message>
    <message>
        <source>Join from another laptop</source>
        <translation>Diesen Laptop hinzufügen</translation>
    </message>
    <message>
        <source>On your other laptop, click memtray in the tray and choose “Add a laptop…”.</source>
        <translation>Klicken Sie auf Ihrem anderen Laptop im Infobereich auf memtray und wählen Sie „Laptop hinzufügen…“.</translation>
    </message>
    <message>
        <source>Type or paste the code your other laptop shows</source>
        <translation>Code eingeben oder einfügen, den Ihr anderer Laptop zeigt</translation>
    </message>
    <message>
        <source>My laptops share a &amp;folder (no code needed)</source>
        <translation>Meine Laptops teilen einen &amp;Ordner (kein Code nötig)</translation>
    </message>
    <message>
        <source>Choose the folder your laptops share</source>
        <translation>Wählen Sie den Ordner, den Ihre Laptops gemeinsam nutzen</translation>
    </message>
    <message>
        <source>Choose the memtray folder your other laptop uses</source>
        <translation>Wählen Sie den memtray-Ordner, den Ihr anderer Laptop nutzt</translation>
    </message>
    <message>
        <source>&lt;b&gt;Where is the memtray folder your other laptop uses?&lt;/b&gt;</source>
        <translation>&lt;b&gt;Wo ist der memtray-Ordner, den Ihr anderer Laptop nutzt?&lt;/b&gt;</translation>
    </message>
    <message>
        <source>Access &amp;key ID:</source>
        <translation>Zugriffsschlüssel-&amp;ID:</translation>
    </message>
    <message>
        <source>Server pass&amp;word:</source>
        <translation>Ser&amp;ver-Passwort:</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>The passphrase you chose on your first laptop.</source>
        <translation>Die Passphrase, die Sie auf Ihrem ersten Laptop gewählt haben.</translation>
    </message>
    <message>
        <source>Unlocking your synced memory…</source>
        <translation>Ihr synchronisiertes Gedächtnis wird entsperrt…</translation>
    </message>
</context>
<context>
    <name>MassDelete</name>
    <message>
        <source>Another laptop deleted {deleted} of the {files} files in &apos;{folder}&apos;. memtray paused before deleting them here. If that is what you want, choose Sync anyway. Nothing was changed on this laptop.</source>
        <translation>Ein anderer Laptop hat {deleted} der {files} Dateien in „{folder}“ gelöscht. memtray hat angehalten, bevor sie auch hier gelöscht werden. Wenn Sie das wollen, wählen Sie „Trotzdem synchronisieren“. Auf diesem Laptop wurde nichts geändert.</translation>
    </message>
    <message>
        <source>Many files would be deleted</source>
        <translation>Viele Dateien würden gelöscht</translation>
    </message>
    <message>
        <source>{deleted} of {files} files in &apos;{folder}&apos; are missing on this laptop. If you deleted them on purpose, choose Sync anyway; otherwise put them back. Nothing was sent.</source>
        <translation>{deleted} von {files} Dateien in „{folder}“ fehlen auf diesem Laptop. Wenn Sie sie absichtlich gelöscht haben, wählen Sie „Trotzdem synchronisieren“; andernfalls legen Sie sie zurück. Es wurde nichts gesendet.</translation>
    </message>
</context>
<context>
    <name>MemtrayServerForm</name>
    <message>
        <source>From whoever runs the server</source>
        <translation>Von der Person, die den Server betreibt</translation>
    </message>
    <message>
        <source>Server &amp;address:</source>
        <translation>Server-&amp;Adresse:</translation>
    </message>
    <message>
        <source>Server &amp;password:</source>
        <translation>Server-&amp;Passwort:</translation>
    </message>
</context>
<context>
    <name>NewPassphraseBox</name>
    <message>
        <source>At least {n} characters</source>
        <translation>Mindestens {n} Zeichen</translation>
    </message>
    <message>
        <source>Passphrase strength</source>
        <translation>Stärke der Passphrase</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Type it again:</source>
        <translation>Noch &amp;einmal eingeben:</translation>
    </message>
    <message>
        <source>Pick something long you can remember, like four random words.</source>
        <translation>Wählen Sie etwas Langes, das Sie sich merken können, zum Beispiel vier zufällige Wörter.</translation>
    </message>
    <message>
        <source>Too short — use at least {n} characters.</source>
        <translation>Zu kurz — verwenden Sie mindestens {n} Zeichen.</translation>
    </message>
    <message>
        <source>{rating} — too easy to guess. memtray needs at least “{good}”.</source>
        <translation>{rating} — zu leicht zu erraten. memtray braucht mindestens „{good}“.</translation>
    </message>
    <message>
        <source>The two passphrases are not the same yet.</source>
        <translation>Die beiden Passphrasen stimmen noch nicht überein.</translation>
    </message>
    <message>
        <source>Strength: {rating}</source>
        <translation>Stärke: {rating}</translation>
    </message>
    <message>
        <source>Good</source>
        <translation>Gut</translation>
    </message>
    <message>
        <source>Not strong enough yet</source>
        <translation>Noch nicht stark genug</translation>
    </message>
    <message>
        <source>Strong</source>
        <translation>Stark</translation>
    </message>
    <message>
        <source>Very weak</source>
        <translation>Sehr schwach</translation>
    </message>
    <message>
        <source>Weak</source>
        <translation>Schwach</translation>
    </message>
</context>
<context>
    <name>Notify</name>
    <message numerus="yes">
        <source>%n files need a look.</source>
        <translation>
            <numerusform>%n Datei braucht Ihre Aufmerksamkeit.</numerusform>
            <numerusform>%n Dateien brauchen Ihre Aufmerksamkeit.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files were changed on two laptops. Both versions of each are kept. Click to show.</source>
        <translation>
            <numerusform>%n Datei wurde auf zwei Laptops geändert. Beide Versionen bleiben erhalten. Zum Anzeigen klicken.</numerusform>
            <numerusform>%n Dateien wurden auf zwei Laptops geändert. Beide Versionen jeder Datei bleiben erhalten. Zum Anzeigen klicken.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files were skipped.</source>
        <translation>
            <numerusform>%n Datei wurde übersprungen.</numerusform>
            <numerusform>%n Dateien wurden übersprungen.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more files</source>
        <translation>
            <numerusform>%n weitere Datei</numerusform>
            <numerusform>%n weitere Dateien</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n more files were not sent either.</source>
        <translation>
            <numerusform>%n weitere Datei wurde ebenfalls nicht gesendet.</numerusform>
            <numerusform>%n weitere Dateien wurden ebenfalls nicht gesendet.</numerusform>
        </translation>
    </message>
    <message>
        <source>1 file needs a look.</source>
        <translation>1 Datei braucht Ihre Aufmerksamkeit.</translation>
    </message>
    <message>
        <source>1 file was skipped.</source>
        <translation>1 Datei wurde übersprungen.</translation>
    </message>
    <message>
        <source>1 more file</source>
        <translation>1 weitere Datei</translation>
    </message>
    <message>
        <source>1 more file was not sent either.</source>
        <translation>1 weitere Datei wurde ebenfalls nicht gesendet.</translation>
    </message>
    <message>
        <source>A file was held back</source>
        <translation>Eine Datei wurde zurückgehalten</translation>
    </message>
    <message>
        <source>A laptop was removed</source>
        <translation>Ein Laptop wurde entfernt</translation>
    </message>
    <message>
        <source>A new laptop joined</source>
        <translation>Ein neuer Laptop ist dazugekommen</translation>
    </message>
    <message>
        <source>A new laptop joined: {name}. If you did not add it, remove it in Settings → Security → Your laptops.</source>
        <translation>Ein neuer Laptop ist dazugekommen: {name}. Wenn Sie ihn nicht hinzugefügt haben, entfernen Sie ihn unter Einstellungen → Sicherheit → Ihre Laptops.</translation>
    </message>
    <message>
        <source>Changes not applied</source>
        <translation>Änderungen nicht übernommen</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Schließen</translation>
    </message>
    <message numerus="yes">
        <source>Combined the changes of two laptops in %n files.</source>
        <translation>
            <numerusform>Die Änderungen zweier Laptops in %n Datei zusammengeführt.</numerusform>
            <numerusform>Die Änderungen zweier Laptops in %n Dateien zusammengeführt.</numerusform>
        </translation>
    </message>
    <message>
        <source>Combined the changes of two laptops in 1 file.</source>
        <translation>Die Änderungen zweier Laptops in 1 Datei zusammengeführt.</translation>
    </message>
    <message numerus="yes">
        <source>Deleted %n files here that another laptop deleted.</source>
        <translation>
            <numerusform>%n Datei hier gelöscht, die ein anderer Laptop gelöscht hat.</numerusform>
            <numerusform>%n Dateien hier gelöscht, die ein anderer Laptop gelöscht hat.</numerusform>
        </translation>
    </message>
    <message>
        <source>Deleted 1 file here that another laptop deleted.</source>
        <translation>1 Datei hier gelöscht, die ein anderer Laptop gelöscht hat.</translation>
    </message>
    <message>
        <source>Edited in two places</source>
        <translation>Auf zwei Laptops bearbeitet</translation>
    </message>
    <message>
        <source>Everything is up to date.</source>
        <translation>Alles ist auf dem neuesten Stand.</translation>
    </message>
    <message>
        <source>New laptops joined: {name}. If you did not add them, remove them in Settings → Security → Your laptops.</source>
        <translation>Neue Laptops sind dazugekommen: {name}. Wenn Sie sie nicht hinzugefügt haben, entfernen Sie sie unter Einstellungen → Sicherheit → Ihre Laptops.</translation>
    </message>
    <message numerus="yes">
        <source>Received %n changes from your other laptops.</source>
        <translation>
            <numerusform>%n Änderung von Ihren anderen Laptops empfangen.</numerusform>
            <numerusform>%n Änderungen von Ihren anderen Laptops empfangen.</numerusform>
        </translation>
    </message>
    <message>
        <source>Received 1 change from your other laptops.</source>
        <translation>1 Änderung von Ihren anderen Laptops empfangen.</translation>
    </message>
    <message numerus="yes">
        <source>Sent %n changes to your other laptops.</source>
        <translation>
            <numerusform>%n Änderung an Ihre anderen Laptops gesendet.</numerusform>
            <numerusform>%n Änderungen an Ihre anderen Laptops gesendet.</numerusform>
        </translation>
    </message>
    <message>
        <source>Sent 1 change to your other laptops.</source>
        <translation>1 Änderung an Ihre anderen Laptops gesendet.</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Two texts combined</source>
        <translation>Zwei Texte zusammengeführt</translation>
    </message>
    <message>
        <source>Your text in {path} and {more} was set aside: {other} changed the same lines. Open them to choose.</source>
        <translation>Ihr Text wurde beiseitegelegt ({path} und {more}): {other} hat dieselben Zeilen geändert. Öffnen Sie die Dateien, um zu wählen.</translation>
    </message>
    <message>
        <source>Your text in {path} was set aside: {other} changed the same lines. Open it to choose.</source>
        <translation>Ihr Text in {path} wurde beiseitegelegt: {other} hat dieselben Zeilen geändert. Öffnen Sie die Datei, um zu wählen.</translation>
    </message>
    <message>
        <source>Your text was set aside</source>
        <translation>Ihr Text wurde beiseitegelegt</translation>
    </message>
    <message>
        <source>memtray</source>
        <translation>memtray</translation>
    </message>
    <message numerus="yes">
        <source>{names} joined your synced memory.</source>
        <translation>
            <numerusform>{names} ist Ihrem synchronisierten Gedächtnis beigetreten.</numerusform>
            <numerusform>{names} sind Ihrem synchronisierten Gedächtnis beigetreten.</numerusform>
        </translation>
    </message>
    <message>
        <source>{name} was removed from your synced memory.</source>
        <translation>{name} wurde aus Ihrem synchronisierten Gedächtnis entfernt.</translation>
    </message>
    <message>
        <source>{name} were removed from your synced memory.</source>
        <translation>{name} wurden aus Ihrem synchronisierten Gedächtnis entfernt.</translation>
    </message>
    <message>
        <source>{path} and {more} from this laptop and {other} were combined: both texts of each are kept.</source>
        <translation>{path} und {more} von diesem Laptop und von {other} wurden zusammengeführt: Beide Texte jeder Datei bleiben erhalten.</translation>
    </message>
    <message>
        <source>{path} from this laptop and {other} were combined: both texts are kept.</source>
        <translation>{path} von diesem Laptop und von {other} wurden zusammengeführt: Beide Texte bleiben erhalten.</translation>
    </message>
    <message>
        <source>{path} was not sent: line {line} looks like {finding}.</source>
        <translation>{path} wurde nicht gesendet: Zeile {line} sieht aus wie {finding}.</translation>
    </message>
    <message>
        <source>“{path}” was changed on two laptops. Both versions are kept. Click to show.</source>
        <translation>„{path}“ wurde auf zwei Laptops geändert. Beide Versionen bleiben erhalten. Zum Anzeigen klicken.</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <source>memtray needs your passphrase</source>
        <translation>memtray braucht Ihre Passphrase</translation>
    </message>
    <message>
        <source>&amp;Use passphrase</source>
        <translation>Passphrase &amp;verwenden</translation>
    </message>
    <message>
        <source>Un&amp;lock keychain</source>
        <translation>Schlüsselbund &amp;entsperren</translation>
    </message>
    <message>
        <source>&amp;Back</source>
        <translation>&amp;Zurück</translation>
    </message>
    <message>
        <source>&amp;Passphrase:</source>
        <translation>&amp;Passphrase:</translation>
    </message>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>&amp;Forgot it? Use your recovery key</source>
        <translation>Ver&amp;gessen? Wiederherstellungsschlüssel verwenden</translation>
    </message>
    <message>
        <source>&amp;Recovery key:</source>
        <translation>&amp;Wiederherstellungsschlüssel:</translation>
    </message>
    <message>
        <source>The key you saved or printed when you set up memtray</source>
        <translation>Der Schlüssel, den Sie beim Einrichten von memtray gespeichert oder ausgedruckt haben</translation>
    </message>
    <message>
        <source>Recovery key</source>
        <translation>Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Neue Passphrase:</translation>
    </message>
    <message>
        <source>Your other laptops will ask for the new passphrase once.</source>
        <translation>Ihre anderen Laptops fragen einmal nach der neuen Passphrase.</translation>
    </message>
    <message>
        <source>Your keychain is locked</source>
        <translation>Ihr Schlüsselbund ist gesperrt</translation>
    </message>
    <message>
        <source>No keychain on this computer</source>
        <translation>Kein Schlüsselbund auf diesem Computer</translation>
    </message>
    <message>
        <source>Unlock your synced memory</source>
        <translation>Ihr synchronisiertes Gedächtnis entsperren</translation>
    </message>
    <message>
        <source>Unlock your keychain so memtray can read your passphrase, or type the passphrase below.</source>
        <translation>Entsperren Sie Ihren Schlüsselbund, damit memtray Ihre Passphrase lesen kann, oder geben Sie die Passphrase unten ein.</translation>
    </message>
    <message>
        <source>memtray could not find a keychain on this computer, so it cannot remember your passphrase. Type it once each time memtray starts; memtray keeps it in memory only, never on disk.</source>
        <translation>memtray hat auf diesem Computer keinen Schlüsselbund gefunden und kann sich Ihre Passphrase darum nicht merken. Geben Sie sie bei jedem Start von memtray einmal ein; memtray behält sie nur im Arbeitsspeicher, nie auf der Festplatte.</translation>
    </message>
    <message>
        <source>Type your passphrase so memtray can sync.</source>
        <translation>Geben Sie Ihre Passphrase ein, damit memtray synchronisieren kann.</translation>
    </message>
    <message>
        <source>Use your recovery key</source>
        <translation>Wiederherstellungsschlüssel verwenden</translation>
    </message>
    <message>
        <source>Type the recovery key you saved when you set up memtray, then choose a new passphrase.</source>
        <translation>Geben Sie den Wiederherstellungsschlüssel ein, den Sie beim Einrichten von memtray gesichert haben, und wählen Sie dann eine neue Passphrase.</translation>
    </message>
    <message>
        <source>&amp;Use recovery key</source>
        <translation>Wiederherstellungsschlüssel &amp;verwenden</translation>
    </message>
    <message>
        <source>Checking the recovery key…</source>
        <translation>Wiederherstellungsschlüssel wird geprüft…</translation>
    </message>
</context>
<context>
    <name>PassphraseFeedback</name>
    <message>
        <source>Use a few words, avoid common phrases.</source>
        <translation>Verwenden Sie ein paar Wörter und vermeiden Sie gängige Redewendungen.</translation>
    </message>
    <message>
        <source>No need for symbols, digits, or uppercase letters.</source>
        <translation>Sonderzeichen, Ziffern oder Großbuchstaben sind nicht nötig.</translation>
    </message>
    <message>
        <source>Add another word or two. Uncommon words are better.</source>
        <translation>Fügen Sie ein oder zwei Wörter hinzu. Ungewöhnliche Wörter sind besser.</translation>
    </message>
    <message>
        <source>Straight rows of keys are easy to guess.</source>
        <translation>Gerade Tastenreihen sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Short keyboard patterns are easy to guess.</source>
        <translation>Kurze Tastaturmuster sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Use a longer keyboard pattern with more turns.</source>
        <translation>Verwenden Sie ein längeres Tastaturmuster mit mehr Richtungswechseln.</translation>
    </message>
    <message>
        <source>Repeats like &quot;aaa&quot; are easy to guess.</source>
        <translation>Wiederholungen wie „aaa“ sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Repeats like &quot;abcabcabc&quot; are only slightly harder to guess than &quot;abc&quot;.</source>
        <translation>Wiederholungen wie „abcabcabc“ sind kaum schwerer zu erraten als „abc“.</translation>
    </message>
    <message>
        <source>Avoid repeated words and characters.</source>
        <translation>Vermeiden Sie wiederholte Wörter und Zeichen.</translation>
    </message>
    <message>
        <source>Sequences like &quot;abc&quot; or &quot;6543&quot; are easy to guess.</source>
        <translation>Folgen wie „abc“ oder „6543“ sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Avoid sequences.</source>
        <translation>Vermeiden Sie Zeichenfolgen.</translation>
    </message>
    <message>
        <source>Recent years are easy to guess.</source>
        <translation>Jahreszahlen der letzten Jahre sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Avoid recent years.</source>
        <translation>Vermeiden Sie Jahreszahlen der letzten Jahre.</translation>
    </message>
    <message>
        <source>Avoid years that are associated with you.</source>
        <translation>Vermeiden Sie Jahreszahlen, die mit Ihnen zu tun haben.</translation>
    </message>
    <message>
        <source>Dates are often easy to guess.</source>
        <translation>Datumsangaben sind oft leicht zu erraten.</translation>
    </message>
    <message>
        <source>Avoid dates and years that are associated with you.</source>
        <translation>Vermeiden Sie Daten und Jahreszahlen, die mit Ihnen zu tun haben.</translation>
    </message>
    <message>
        <source>This is a top-10 common password.</source>
        <translation>Das ist eines der 10 häufigsten Passwörter.</translation>
    </message>
    <message>
        <source>This is a top-100 common password.</source>
        <translation>Das ist eines der 100 häufigsten Passwörter.</translation>
    </message>
    <message>
        <source>This is a very common password.</source>
        <translation>Das ist ein sehr häufiges Passwort.</translation>
    </message>
    <message>
        <source>This is similar to a commonly used password.</source>
        <translation>Das ähnelt einem häufig verwendeten Passwort.</translation>
    </message>
    <message>
        <source>A word by itself is easy to guess.</source>
        <translation>Ein einzelnes Wort ist leicht zu erraten.</translation>
    </message>
    <message>
        <source>Names and surnames by themselves are easy to guess.</source>
        <translation>Vor- und Nachnamen allein sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Common names and surnames are easy to guess.</source>
        <translation>Häufige Vor- und Nachnamen sind leicht zu erraten.</translation>
    </message>
    <message>
        <source>Capitalization doesn&apos;t help very much.</source>
        <translation>Großschreibung hilft kaum.</translation>
    </message>
    <message>
        <source>All-uppercase is almost as easy to guess as all-lowercase.</source>
        <translation>Nur Großbuchstaben sind fast so leicht zu erraten wie nur Kleinbuchstaben.</translation>
    </message>
    <message>
        <source>Reversed words aren&apos;t much harder to guess.</source>
        <translation>Rückwärts geschriebene Wörter sind kaum schwerer zu erraten.</translation>
    </message>
    <message>
        <source>Predictable substitutions like &apos;@&apos; instead of &apos;a&apos; don&apos;t help very much.</source>
        <translation>Vorhersehbare Ersetzungen wie „@“ statt „a“ helfen kaum.</translation>
    </message>
</context>
<context>
    <name>PassphrasePage</name>
    <message>
        <source>Choose a passphrase</source>
        <translation>Passphrase wählen</translation>
    </message>
    <message>
        <source>It locks your files before they leave this laptop. memtray remembers it for you.</source>
        <translation>Sie verschlüsselt Ihre Dateien, bevor sie diesen Laptop verlassen. memtray merkt sie sich für Sie.</translation>
    </message>
    <message>
        <source>&amp;Start syncing</source>
        <translation>&amp;Synchronisierung starten</translation>
    </message>
    <message>
        <source>Nobody can reset it for you, not even memtray: that is what keeps your files private. The next step gives you a recovery key in case you forget it.</source>
        <translation>Niemand kann sie für Sie zurücksetzen, auch memtray nicht: Genau das hält Ihre Dateien privat. Im nächsten Schritt bekommen Sie einen Wiederherstellungsschlüssel, falls Sie sie vergessen.</translation>
    </message>
    <message>
        <source>Locking your files and sending them to your storage…</source>
        <translation>Ihre Dateien werden verschlüsselt und an Ihren Speicherort gesendet…</translation>
    </message>
</context>
<context>
    <name>PasswordField</name>
    <message>
        <source>Hide</source>
        <translation>Verbergen</translation>
    </message>
    <message>
        <source>Show</source>
        <translation>Anzeigen</translation>
    </message>
    <message>
        <source>Hide what you typed</source>
        <translation>Eingabe verbergen</translation>
    </message>
    <message>
        <source>Show what you typed</source>
        <translation>Eingabe anzeigen</translation>
    </message>
</context>
<context>
    <name>PathPicker</name>
    <message>
        <source>Browse…</source>
        <translation>Durchsuchen…</translation>
    </message>
    <message>
        <source>Choose a folder</source>
        <translation>Ordner wählen</translation>
    </message>
</context>
<context>
    <name>PlacesPage</name>
    <message>
        <source>Where should your files go on this laptop?</source>
        <translation>Wohin sollen Ihre Dateien auf diesem Laptop?</translation>
    </message>
    <message>
        <source>memtray picked the usual place for each AI tool. Change one only if you keep it elsewhere.</source>
        <translation>memtray hat für jedes KI-Werkzeug den üblichen Ort gewählt. Ändern Sie ihn nur, wenn das Werkzeug seine Dateien anderswo hat.</translation>
    </message>
    <message>
        <source>&amp;Start syncing</source>
        <translation>&amp;Synchronisierung starten</translation>
    </message>
    <message>
        <source>Your synced memory has no folders yet. Add them in Settings on any laptop.</source>
        <translation>Ihr synchronisiertes Gedächtnis hat noch keine Ordner. Fügen Sie sie auf einem beliebigen Laptop in den Einstellungen hinzu.</translation>
    </message>
    <message>
        <source>Cancelling…</source>
        <translation>Wird abgebrochen…</translation>
    </message>
    <message>
        <source>memtray makes any folder that does not exist yet. If this laptop already has a memory file there, nothing is lost: memtray keeps both texts.</source>
        <translation>memtray legt jeden Ordner an, den es noch nicht gibt. Liegt dort auf diesem Laptop schon eine Gedächtnisdatei, geht nichts verloren: memtray behält beide Texte.</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
</context>
<context>
    <name>PresetsPage</name>
    <message>
        <source>What should memtray keep in sync?</source>
        <translation>Was soll memtray synchronisieren?</translation>
    </message>
    <message>
        <source>memtray found these AI tools on this laptop. Untick any you want to leave out.</source>
        <translation>memtray hat diese KI-Werkzeuge auf diesem Laptop gefunden. Entfernen Sie das Häkchen bei allem, was Sie auslassen möchten.</translation>
    </message>
    <message>
        <source>memtray did not find memory files of Claude Code, Codex, Gemini CLI, Windsurf or Copilot here.</source>
        <translation>memtray hat hier keine Gedächtnisdateien von Claude Code, Codex, Gemini CLI, Windsurf oder Copilot gefunden.</translation>
    </message>
    <message>
        <source>Choose a project folder</source>
        <translation>Projektordner wählen</translation>
    </message>
    <message>
        <source>&amp;Add project</source>
        <translation>Projekt &amp;hinzufügen</translation>
    </message>
    <message>
        <source>Also sync a &amp;project&apos;s CLAUDE.md, AGENTS.md, GEMINI.md and Cursor rules:</source>
        <translation>Auch CLAUDE.md, AGENTS.md, GEMINI.md und Cursor-Regeln eines &amp;Projekts synchronisieren:</translation>
    </message>
    <message>
        <source>You can add or remove folders any time in Settings.</source>
        <translation>Ordner können Sie jederzeit in den Einstellungen hinzufügen oder entfernen.</translation>
    </message>
</context>
<context>
    <name>ProjectsTab</name>
    <message>
        <source>Project</source>
        <translation>Projekt</translation>
    </message>
    <message>
        <source>Repository</source>
        <translation>Repository</translation>
    </message>
    <message>
        <source>On this laptop</source>
        <translation>Auf diesem Laptop</translation>
    </message>
    <message>
        <source>Memory</source>
        <translation>Gedächtnis</translation>
    </message>
    <message>
        <source>&amp;Link to a folder…</source>
        <translation>Mit Ordner &amp;verknüpfen…</translation>
    </message>
    <message>
        <source>U&amp;nlink</source>
        <translation>Verknüpfung &amp;lösen</translation>
    </message>
    <message>
        <source>&amp;Refresh</source>
        <translation>Ak&amp;tualisieren</translation>
    </message>
    <message>
        <source>Projects</source>
        <translation>Projekte</translation>
    </message>
    <message>
        <source>memtray matches a project across your laptops by its repository, not by the folder it is in, so its memory reaches Claude Code on every laptop. If a match is wrong or missing, link the project to the right folder here.</source>
        <translation>memtray erkennt ein Projekt auf Ihren Laptops an seinem Repository, nicht am Ordner, in dem es liegt. So erreicht sein Gedächtnis Claude Code auf jedem Laptop. Stimmt eine Zuordnung nicht oder fehlt sie, verknüpfen Sie das Projekt hier mit dem richtigen Ordner.</translation>
    </message>
    <message>
        <source>no remote</source>
        <translation>ohne Remote-Repository</translation>
    </message>
    <message>
        <source>not on this laptop</source>
        <translation>nicht auf diesem Laptop</translation>
    </message>
    <message>
        <source>No projects yet. A project shows up here once Claude Code has worked in it on a laptop.</source>
        <translation>Noch keine Projekte. Ein Projekt erscheint hier, sobald Claude Code auf einem Laptop darin gearbeitet hat.</translation>
    </message>
    <message>
        <source>{name}&apos;s memory waits until you open the project here. If it is on this laptop already, choose Link to a folder…</source>
        <translation>Das Gedächtnis von {name} wartet, bis Sie das Projekt hier öffnen. Liegt es schon auf diesem Laptop, wählen Sie „Mit Ordner verknüpfen…“.</translation>
    </message>
    <message>
        <source>Several folders on this laptop belong to {identity}. Choose the right one with Link to a folder…; until then each keeps its own memory.</source>
        <translation>Mehrere Ordner auf diesem Laptop gehören zu {identity}. Wählen Sie den richtigen mit „Mit Ordner verknüpfen…“; bis dahin behält jeder sein eigenes Gedächtnis.</translation>
    </message>
    <message>
        <source>Where is “{name}” on this laptop?</source>
        <translation>Wo liegt „{name}“ auf diesem Laptop?</translation>
    </message>
    <message>
        <source>Pick the project&apos;s folder (the checkout of {remote}). memtray puts its memory where Claude Code looks for it when you work there.</source>
        <translation>Wählen Sie den Ordner des Projekts (den Checkout von {remote}). memtray legt sein Gedächtnis dort ab, wo Claude Code es sucht, wenn Sie dort arbeiten.</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Verknüpfen</translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation>Wird gespeichert…</translation>
    </message>
    <message>
        <source>Saved.</source>
        <translation>Gespeichert.</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyBox</name>
    <message>
        <source>Recovery key</source>
        <translation>Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>&amp;Copy</source>
        <translation>&amp;Kopieren</translation>
    </message>
    <message>
        <source>Save as P&amp;DF…</source>
        <translation>Als P&amp;DF speichern…</translation>
    </message>
    <message>
        <source>S&amp;ave to a file…</source>
        <translation>In einer D&amp;atei speichern…</translation>
    </message>
    <message>
        <source>Copied. Paste it into your password manager, then copy something else.</source>
        <translation>Kopiert. Fügen Sie ihn in Ihren Passwort-Manager ein und kopieren Sie danach etwas anderes.</translation>
    </message>
    <message>
        <source>memtray recovery key</source>
        <translation>memtray-Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>Made on {day}. A newer recovery key replaces this one.</source>
        <translation>Erstellt am {day}. Ein neuerer Wiederherstellungsschlüssel ersetzt diesen.</translation>
    </message>
    <message>
        <source>If you forget your passphrase, open memtray, choose “Forgot it? Use your recovery key” and type this key. Anyone who has it and can reach your storage can read your synced memory.</source>
        <translation>Wenn Sie Ihre Passphrase vergessen, öffnen Sie memtray, wählen „Vergessen? Wiederherstellungsschlüssel verwenden“ und geben diesen Schlüssel ein. Wer ihn hat und Ihren Speicherort erreicht, kann Ihr synchronisiertes Gedächtnis lesen.</translation>
    </message>
    <message>
        <source>Keep it off your laptops: printed in a safe place, or in a password manager.</source>
        <translation>Bewahren Sie ihn nicht auf Ihren Laptops auf, sondern ausgedruckt an einem sicheren Ort oder in einem Passwort-Manager.</translation>
    </message>
    <message>
        <source>Could not save: {reason}</source>
        <translation>Speichern nicht möglich: {reason}</translation>
    </message>
    <message>
        <source>Saved to {path}.</source>
        <translation>Gespeichert unter {path}.</translation>
    </message>
    <message>
        <source>Saved to {path}. Once it is printed or copied somewhere safe, delete it from this laptop.</source>
        <translation>Gespeichert unter {path}. Sobald er ausgedruckt oder an einen sicheren Ort kopiert ist, löschen Sie ihn von diesem Laptop.</translation>
    </message>
    <message>
        <source>Save as PDF</source>
        <translation>Als PDF speichern</translation>
    </message>
    <message>
        <source>PDF files (*.pdf)</source>
        <translation>PDF-Dateien (*.pdf)</translation>
    </message>
    <message>
        <source>Keep the recovery key off this laptop</source>
        <translation>Den Wiederherstellungsschlüssel nicht auf diesem Laptop aufbewahren</translation>
    </message>
    <message>
        <source>A recovery key saved on this laptop is lost with it, and anyone who gets into the laptop can use it. Save it to a USB stick you keep somewhere safe, or copy it into a password manager.</source>
        <translation>Ein Wiederherstellungsschlüssel auf diesem Laptop geht mit ihm verloren, und jeder, der Zugang zum Laptop bekommt, kann ihn benutzen. Speichern Sie ihn auf einem USB-Stick, den Sie sicher aufbewahren, oder kopieren Sie ihn in einen Passwort-Manager.</translation>
    </message>
    <message>
        <source>Choose where to save…</source>
        <translation>Ort zum Speichern wählen…</translation>
    </message>
    <message>
        <source>Save to a file</source>
        <translation>In einer Datei speichern</translation>
    </message>
    <message>
        <source>Text files (*.txt)</source>
        <translation>Textdateien (*.txt)</translation>
    </message>
</context>
<context>
    <name>RecoveryKeyDialog</name>
    <message>
        <source>Your new recovery key</source>
        <translation>Ihr neuer Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>Save or copy this key now and keep it off your laptops. memtray will not show it again, and it has not written it anywhere.</source>
        <translation>Speichern oder kopieren Sie diesen Schlüssel jetzt und bewahren Sie ihn nicht auf Ihren Laptops auf. memtray zeigt ihn nicht noch einmal an und hat ihn nirgends gespeichert.</translation>
    </message>
</context>
<context>
    <name>RecoveryPage</name>
    <message>
        <source>Save your recovery key</source>
        <translation>Wiederherstellungsschlüssel sichern</translation>
    </message>
    <message>
        <source>If you forget your passphrase, this key is the only way back in. You see it only now.</source>
        <translation>Wenn Sie Ihre Passphrase vergessen, ist dieser Schlüssel der einzige Weg zurück. Sie sehen ihn nur jetzt.</translation>
    </message>
    <message>
        <source>I saved my recovery &amp;key somewhere safe</source>
        <translation>Ich habe meinen Wiederherstellungs&amp;schlüssel sicher aufbewahrt</translation>
    </message>
    <message>
        <source>Save it as a PDF and print it, or copy it into a password manager. Keep it off your laptops: memtray has not saved it anywhere.</source>
        <translation>Speichern Sie ihn als PDF und drucken Sie ihn aus, oder kopieren Sie ihn in einen Passwort-Manager. Bewahren Sie ihn nicht auf Ihren Laptops auf: memtray hat ihn nirgends gespeichert.</translation>
    </message>
    <message>
        <source>Your synced memory is ready. {summary}</source>
        <translation>Ihr synchronisiertes Gedächtnis ist bereit. {summary}</translation>
    </message>
    <message>
        <source>Your synced memory is ready, but the first sync did not finish ({reason}). memtray will try again.</source>
        <translation>Ihr synchronisiertes Gedächtnis ist bereit, aber die erste Synchronisierung ist nicht fertig geworden ({reason}). memtray versucht es erneut.</translation>
    </message>
</context>
<context>
    <name>RemoveLaptopDialog</name>
    <message>
        <source>Remove {name}</source>
        <translation>{name} entfernen</translation>
    </message>
    <message>
        <source>{name} will no longer receive anything new from your synced memory. Choose a new passphrase: {name} knew the old one.</source>
        <translation>{name} erhält nichts Neues mehr aus Ihrem synchronisierten Gedächtnis. Wählen Sie eine neue Passphrase: {name} kannte die alte.</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Neue Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Remove laptop</source>
        <translation>Laptop en&amp;tfernen</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Abbrechen</translation>
    </message>
    <message>
        <source>Use the new passphrase from now on. Your other laptops pick up the change at their next sync, with no typing.</source>
        <translation>Verwenden Sie ab jetzt die neue Passphrase. Ihre anderen Laptops übernehmen die Änderung bei ihrer nächsten Synchronisierung, ohne dass Sie etwas eintippen.</translation>
    </message>
    <message>
        <source>Your old recovery key no longer works. Save or copy this new one now and keep it off your laptops: memtray will not show it again.</source>
        <translation>Ihr alter Wiederherstellungsschlüssel funktioniert nicht mehr. Sichern oder kopieren Sie jetzt den neuen und bewahren Sie ihn nicht auf Ihren Laptops auf: memtray zeigt ihn kein zweites Mal.</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fertig</translation>
    </message>
    <message>
        <source>Your new recovery key</source>
        <translation>Ihr neuer Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>Removing {name}… This can take a minute.</source>
        <translation>{name} wird entfernt… Das kann eine Minute dauern.</translation>
    </message>
    <message>
        <source>{name} was removed.</source>
        <translation>{name} wurde entfernt.</translation>
    </message>
</context>
<context>
    <name>S3Form</name>
    <message>
        <source>Leave empty for Amazon S3</source>
        <translation>Für Amazon S3 leer lassen</translation>
    </message>
    <message>
        <source>Bu&amp;cket:</source>
        <translation>Bu&amp;cket:</translation>
    </message>
    <message>
        <source>Server add&amp;ress:</source>
        <translation>Server-Ad&amp;resse:</translation>
    </message>
    <message>
        <source>Access key &amp;ID:</source>
        <translation>Zugriffsschlüssel-&amp;ID:</translation>
    </message>
    <message>
        <source>Secret access &amp;key:</source>
        <translation>Geheimer Zugriffs&amp;schlüssel:</translation>
    </message>
    <message>
        <source>memtray keeps its files in a folder “memtray” in the bucket.</source>
        <translation>memtray legt seine Dateien im Bucket in einen Ordner „memtray“.</translation>
    </message>
    <message>
        <source>Te&amp;st</source>
        <translation>Teste&amp;n</translation>
    </message>
</context>
<context>
    <name>SecurityTab</name>
    <message>
        <source>Passphrase</source>
        <translation>Passphrase</translation>
    </message>
    <message>
        <source>&amp;New passphrase:</source>
        <translation>&amp;Neue Passphrase:</translation>
    </message>
    <message>
        <source>&amp;Current passphrase:</source>
        <translation>Bisherige &amp;Passphrase:</translation>
    </message>
    <message>
        <source>C&amp;hange passphrase</source>
        <translation>Passphrase än&amp;dern</translation>
    </message>
    <message>
        <source>Your passphrase unlocks your synced memory on every laptop. Change it on one; the others follow.</source>
        <translation>Ihre Passphrase entsperrt Ihr synchronisiertes Gedächtnis auf jedem Laptop. Ändern Sie sie auf einem; die anderen ziehen nach.</translation>
    </message>
    <message>
        <source>Recovery key</source>
        <translation>Wiederherstellungsschlüssel</translation>
    </message>
    <message>
        <source>Your passphrase</source>
        <translation>Ihre Passphrase</translation>
    </message>
    <message>
        <source>Make a new &amp;recovery key</source>
        <translation>Neuen &amp;Wiederherstellungsschlüssel erstellen</translation>
    </message>
    <message>
        <source>If you forget your passphrase, the recovery key lets you back in. Making a new one stops the old one from working.</source>
        <translation>Wenn Sie Ihre Passphrase vergessen, kommen Sie mit dem Wiederherstellungsschlüssel wieder hinein. Ein neuer Schlüssel macht den alten ungültig.</translation>
    </message>
    <message>
        <source>Laptop</source>
        <translation>Laptop</translation>
    </message>
    <message>
        <source>System</source>
        <translation>System</translation>
    </message>
    <message>
        <source>Last seen</source>
        <translation>Zuletzt gesehen</translation>
    </message>
    <message>
        <source>Key fingerprint</source>
        <translation>Schlüssel-Fingerabdruck</translation>
    </message>
    <message>
        <source>Re&amp;move laptop…</source>
        <translation>Laptop &amp;entfernen…</translation>
    </message>
    <message>
        <source>{name} has no laptop key yet: it gets one when it syncs with this version of memtray.</source>
        <translation>{name} hat noch keinen Laptop-Schlüssel: Er bekommt einen, sobald er mit dieser Version von memtray synchronisiert.</translation>
    </message>
    <message>
        <source>Key fingerprint of {name}: {fingerprint}. On {name} itself, this list shows the same.</source>
        <translation>Schlüssel-Fingerabdruck von {name}: {fingerprint}. Auf {name} selbst zeigt diese Liste denselben.</translation>
    </message>
    <message>
        <source>{name} was removed from your synced memory.</source>
        <translation>{name} wurde aus Ihrem synchronisierten Gedächtnis entfernt.</translation>
    </message>
    <message>
        <source>Your laptops</source>
        <translation>Ihre Laptops</translation>
    </message>
    <message>
        <source>A&amp;dd a laptop…</source>
        <translation>Laptop hinzu&amp;fügen…</translation>
    </message>
    <message>
        <source>Changing the passphrase…</source>
        <translation>Passphrase wird geändert…</translation>
    </message>
    <message>
        <source>Passphrase changed. Use the new one from now on, on every laptop.</source>
        <translation>Passphrase geändert. Verwenden Sie ab jetzt auf jedem Laptop die neue.</translation>
    </message>
    <message>
        <source>Making a new recovery key…</source>
        <translation>Neuer Wiederherstellungsschlüssel wird erstellt…</translation>
    </message>
    <message>
        <source>New recovery key made. The old one no longer works.</source>
        <translation>Neuer Wiederherstellungsschlüssel erstellt. Der alte gilt nicht mehr.</translation>
    </message>
    <message>
        <source>(this laptop)</source>
        <translation>(dieser Laptop)</translation>
    </message>
    <message>
        <source>Removed</source>
        <translation>Entfernt</translation>
    </message>
    <message>
        <source>Needs a newer memtray</source>
        <translation>Braucht ein neueres memtray</translation>
    </message>
    <message>
        <source>now</source>
        <translation>jetzt</translation>
    </message>
</context>
<context>
    <name>ServerForm</name>
    <message>
        <source>Trying to reach your storage…</source>
        <translation>Verbindung zu Ihrem Speicherort wird hergestellt…</translation>
    </message>
    <message>
        <source>memtray reached your storage. It is empty, ready for your synced memory.</source>
        <translation>memtray hat Ihren Speicherort erreicht. Er ist leer und bereit für Ihr synchronisiertes Gedächtnis.</translation>
    </message>
    <message>
        <source>memtray reached your storage. It already holds synced memory: to use it, go back and choose “Join from another laptop”.</source>
        <translation>memtray hat Ihren Speicherort erreicht. Er enthält schon ein synchronisiertes Gedächtnis: Um es zu nutzen, gehen Sie zurück und wählen „Diesen Laptop hinzufügen“.</translation>
    </message>
</context>
<context>
    <name>SettingsWindow</name>
    <message>
        <source>memtray settings</source>
        <translation>memtray-Einstellungen</translation>
    </message>
    <message>
        <source>&amp;General</source>
        <translation>&amp;Allgemein</translation>
    </message>
    <message>
        <source>&amp;Folders</source>
        <translation>&amp;Ordner</translation>
    </message>
    <message>
        <source>Pro&amp;jects</source>
        <translation>Pro&amp;jekte</translation>
    </message>
    <message>
        <source>Storag&amp;e</source>
        <translation>Spei&amp;cherort</translation>
    </message>
    <message>
        <source>Sec&amp;urity</source>
        <translation>Sic&amp;herheit</translation>
    </message>
    <message>
        <source>&amp;Activity</source>
        <translation>A&amp;ktivität</translation>
    </message>
    <message>
        <source>A&amp;bout</source>
        <translation>Ü&amp;ber</translation>
    </message>
</context>
<context>
    <name>SetupWizard</name>
    <message>
        <source>Set up memtray</source>
        <translation>memtray einrichten</translation>
    </message>
    <message>
        <source>&amp;Next &gt;</source>
        <translation>&amp;Weiter &gt;</translation>
    </message>
    <message>
        <source>&lt; &amp;Back</source>
        <translation>&lt; &amp;Zurück</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>&amp;Fertig</translation>
    </message>
    <message>
        <source>{who}&apos;s {thing}</source>
        <comment>a laptop&apos;s default name: a first name, then a model or kind</comment>
        <translation>{thing} von {who}</translation>
    </message>
    <message>
        <source>laptop</source>
        <comment>a kind of computer, in a laptop&apos;s default name</comment>
        <translation>Laptop</translation>
    </message>
    <message>
        <source>PC</source>
        <comment>a kind of computer, in a laptop&apos;s default name</comment>
        <translation>PC</translation>
    </message>
    <message>
        <source>memtray will not start by itself</source>
        <translation>memtray startet nicht von selbst</translation>
    </message>
    <message>
        <source>{reason} You can turn “Start memtray when I sign in” on later in Settings.</source>
        <translation>{reason} Sie können „memtray bei der Anmeldung starten“ später in den Einstellungen einschalten.</translation>
    </message>
</context>
<context>
    <name>StartPage</name>
    <message>
        <source>Welcome to memtray</source>
        <translation>Willkommen bei memtray</translation>
    </message>
    <message>
        <source>memtray keeps your AI assistants&apos; memory the same on all your laptops.</source>
        <translation>memtray hält das Gedächtnis Ihrer KI-Assistenten auf all Ihren Laptops gleich.</translation>
    </message>
    <message>
        <source>&amp;Join from another laptop — memtray already runs on one of them</source>
        <translation>Diesen Laptop &amp;hinzufügen — memtray läuft schon auf einem anderen</translation>
    </message>
    <message>
        <source>Start &amp;memtray when I sign in</source>
        <translation>&amp;memtray bei der Anmeldung starten</translation>
    </message>
    <message>
        <source>memtray keeps your memory files in sync from this laptop on.</source>
        <translation>memtray synchronisiert Ihre Gedächtnisdateien, beginnend mit diesem Laptop.</translation>
    </message>
    <message>
        <source>You need the setup code: on the other laptop, choose “Add a laptop…” in memtray.</source>
        <translation>Sie brauchen den Einrichtungscode: Wählen Sie auf dem anderen Laptop in memtray „Laptop hinzufügen…“.</translation>
    </message>
    <message>
        <source>This laptop</source>
        <translation>Dieser Laptop</translation>
    </message>
    <message>
        <source>&amp;Laptop name:</source>
        <translation>Name des &amp;Laptops:</translation>
    </message>
    <message>
        <source>Your other laptops list this one by its name. You can change it later.</source>
        <translation>Ihre anderen Laptops führen diesen unter seinem Namen. Sie können ihn später ändern.</translation>
    </message>
    <message>
        <source>How memtray works</source>
        <translation>So funktioniert memtray</translation>
    </message>
    <message>
        <source>&amp;Start fresh — this is my first laptop with memtray</source>
        <translation>&amp;Neu beginnen — dies ist mein erster Laptop mit memtray</translation>
    </message>
    <message>
        <source>• Your memory files stay exactly where your AI tools expect them.</source>
        <translation>• Ihre Gedächtnisdateien bleiben genau dort, wo Ihre KI-Werkzeuge sie erwarten.</translation>
    </message>
    <message>
        <source>• Changes travel encrypted through a place all your laptops can reach, like a Dropbox folder.</source>
        <translation>• Änderungen gehen verschlüsselt über einen Speicherort, den alle Ihre Laptops erreichen, zum Beispiel einen Dropbox-Ordner.</translation>
    </message>
    <message>
        <source>• You choose one passphrase. memtray keeps it in this computer&apos;s keychain.</source>
        <translation>• Sie wählen eine Passphrase. memtray bewahrt sie im Schlüsselbund dieses Computers auf.</translation>
    </message>
</context>
<context>
    <name>Tray</name>
    <message numerus="yes">
        <source>%n changes waiting</source>
        <translation>
            <numerusform>%n Änderung wartet</numerusform>
            <numerusform>%n Änderungen warten</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n conflicts</source>
        <translation>
            <numerusform>%n Datei zu prüfen</numerusform>
            <numerusform>%n Dateien zu prüfen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n days ago</source>
        <translation>
            <numerusform>vor %n Tag</numerusform>
            <numerusform>vor %n Tagen</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n files not sent</source>
        <translation>
            <numerusform>%n Datei nicht gesendet</numerusform>
            <numerusform>%n Dateien nicht gesendet</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n folders</source>
        <translation>
            <numerusform>%n Ordner</numerusform>
            <numerusform>%n Ordner</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n h ago</source>
        <translation>
            <numerusform>vor %n Std.</numerusform>
            <numerusform>vor %n Std.</numerusform>
        </translation>
    </message>
    <message numerus="yes">
        <source>%n min ago</source>
        <translation>
            <numerusform>vor %n Min.</numerusform>
            <numerusform>vor %n Min.</numerusform>
        </translation>
    </message>
    <message>
        <source>1 change waiting</source>
        <translation>1 Änderung wartet</translation>
    </message>
    <message>
        <source>1 conflict</source>
        <translation>1 Datei zu prüfen</translation>
    </message>
    <message>
        <source>1 file not sent</source>
        <translation>1 Datei nicht gesendet</translation>
    </message>
    <message>
        <source>1 folder</source>
        <translation>1 Ordner</translation>
    </message>
    <message>
        <source>A file needs a look</source>
        <translation>Eine Datei ist zu prüfen</translation>
    </message>
    <message>
        <source>A file needs a look…</source>
        <translation>Eine Datei ist zu prüfen…</translation>
    </message>
    <message>
        <source>Add a laptop…</source>
        <translation>Laptop hinzufügen…</translation>
    </message>
    <message>
        <source>Automatic sync is paused · click to sync once</source>
        <translation>Automatische Synchronisierung pausiert · klicken, um einmal zu synchronisieren</translation>
    </message>
    <message>
        <source>Last synced %1</source>
        <translation>Zuletzt synchronisiert %1</translation>
    </message>
    <message>
        <source>No folders yet</source>
        <translation>Noch keine Ordner</translation>
    </message>
    <message>
        <source>Not synced yet</source>
        <translation>Noch nicht synchronisiert</translation>
    </message>
    <message>
        <source>Offline · memtray syncs when your storage can be reached again</source>
        <translation>Offline · memtray synchronisiert, sobald Ihr Speicherort wieder erreichbar ist</translation>
    </message>
    <message>
        <source>Open folder</source>
        <translation>Ordner öffnen</translation>
    </message>
    <message>
        <source>Pause automatic sync</source>
        <translation>Automatische Synchronisierung pausieren</translation>
    </message>
    <message>
        <source>Quit memtray</source>
        <translation>memtray beenden</translation>
    </message>
    <message>
        <source>Recent activity…</source>
        <translation>Letzte Aktivitäten…</translation>
    </message>
    <message>
        <source>Resume automatic sync</source>
        <translation>Automatische Synchronisierung fortsetzen</translation>
    </message>
    <message>
        <source>Settings…</source>
        <translation>Einstellungen…</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Wird gestartet…</translation>
    </message>
    <message>
        <source>Sync now</source>
        <translation>Jetzt synchronisieren</translation>
    </message>
    <message>
        <source>Sync once now</source>
        <translation>Jetzt einmal synchronisieren</translation>
    </message>
    <message>
        <source>Synced %1</source>
        <translation>Synchronisiert %1</translation>
    </message>
    <message>
        <source>Syncing…</source>
        <translation>Wird synchronisiert…</translation>
    </message>
    <message>
        <source>Syncing… %1 of %2</source>
        <translation>Wird synchronisiert… %1 von %2</translation>
    </message>
    <message>
        <source>Up to date</source>
        <translation>Alles aktuell</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>gestern</translation>
    </message>
</context>
<context>
    <name>TrayApp</name>
    <message>
        <source>&amp;Not now</source>
        <translation>&amp;Nicht jetzt</translation>
    </message>
    <message>
        <source>&amp;Sync anyway</source>
        <translation>&amp;Trotzdem synchronisieren</translation>
    </message>
    <message>
        <source>A file needs a look</source>
        <translation>Eine Datei braucht Ihre Aufmerksamkeit</translation>
    </message>
    <message>
        <source>Set memtray up from a terminal with `memtray init` or `memtray join`, then start it again.</source>
        <translation>Richten Sie memtray in einem Terminal mit `memtray init` oder `memtray join` ein und starten Sie es dann erneut.</translation>
    </message>
    <message>
        <source>The folder could not be opened</source>
        <translation>Der Ordner ließ sich nicht öffnen</translation>
    </message>
    <message>
        <source>memtray could not show {path}: no file manager opened it, or the folder is not there. Open it yourself in your file manager.</source>
        <translation>memtray konnte {path} nicht anzeigen: Kein Dateimanager hat ihn geöffnet, oder der Ordner ist nicht da. Öffnen Sie ihn selbst in Ihrem Dateimanager.</translation>
    </message>
    <message>
        <source>memtray is not set up yet</source>
        <translation>memtray ist noch nicht eingerichtet</translation>
    </message>
    <message>
        <source>memtray is set up</source>
        <translation>memtray ist eingerichtet</translation>
    </message>
    <message>
        <source>memtray is syncing, but a file waits for you to choose what to keep. Click to show.</source>
        <translation>memtray synchronisiert, aber eine Datei wartet darauf, dass Sie wählen, was bleibt. Klicken Sie, um sie anzuzeigen.</translation>
    </message>
    <message>
        <source>memtray keeps your files in sync from here in the tray. Click its icon to sync now.</source>
        <translation>memtray hält Ihre Dateien von hier im Infobereich aus synchron. Klicken Sie auf das Symbol, um jetzt zu synchronisieren.</translation>
    </message>
</context>
<context>
    <name>VersionsPane</name>
    <message>
        <source>S&amp;how versions</source>
        <translation>Versionen &amp;zeigen</translation>
    </message>
    <message>
        <source>When</source>
        <translation>Wann</translation>
    </message>
    <message>
        <source>From</source>
        <translation>Von</translation>
    </message>
    <message>
        <source>Size</source>
        <translation>Größe</translation>
    </message>
    <message>
        <source>Bring ba&amp;ck this version…</source>
        <translation>Diese Version &amp;wiederherstellen…</translation>
    </message>
    <message>
        <source>Fol&amp;der:</source>
        <translation>Or&amp;dner:</translation>
    </message>
    <message>
        <source>Fi&amp;le:</source>
        <translation>Dat&amp;ei:</translation>
    </message>
    <message>
        <source>memtray keeps earlier versions of every file. Pick one to see it or bring it back.</source>
        <translation>memtray bewahrt frühere Versionen jeder Datei auf. Wählen Sie eine, um sie anzusehen oder zurückzuholen.</translation>
    </message>
    <message>
        <source>Looking up versions…</source>
        <translation>Versionen werden gesucht…</translation>
    </message>
    <message>
        <source>current</source>
        <translation>aktuell</translation>
    </message>
    <message>
        <source>deleted</source>
        <translation>gelöscht</translation>
    </message>
    <message>
        <source>memtray has no earlier versions of this file.</source>
        <translation>memtray hat keine früheren Versionen dieser Datei.</translation>
    </message>
    <message>
        <source>Bring back this version?</source>
        <translation>Diese Version zurückholen?</translation>
    </message>
    <message>
        <source>“{path}” will go back to this version on all your laptops. The text it has now stays in the history.</source>
        <translation>„{path}“ wird auf all Ihren Laptops auf diese Version zurückgesetzt. Der jetzige Text bleibt im Verlauf erhalten.</translation>
    </message>
    <message>
        <source>Bring back</source>
        <translation>Wiederherstellen</translation>
    </message>
    <message>
        <source>Brought back. Your other laptops get it at the next sync.</source>
        <translation>Wiederhergestellt. Ihre anderen Laptops erhalten sie bei der nächsten Synchronisierung.</translation>
    </message>
    <message>
        <source>Restoring…</source>
        <translation>Wird wiederhergestellt…</translation>
    </message>
</context>
<context>
    <name>WebDavForm</name>
    <message>
        <source>Addr&amp;ess:</source>
        <translation>A&amp;dresse:</translation>
    </message>
    <message>
        <source>Nextcloud shows it under Files → Files settings → WebDAV. memtray uses a folder “memtray” there.</source>
        <translation>Nextcloud zeigt sie unter Dateien → Dateien-Einstellungen → WebDAV. memtray nutzt dort einen Ordner „memtray“.</translation>
    </message>
    <message>
        <source>&amp;User name:</source>
        <translation>&amp;Benutzername:</translation>
    </message>
    <message>
        <source>Passw&amp;ord:</source>
        <translation>Passw&amp;ort:</translation>
    </message>
    <message>
        <source>&amp;Test</source>
        <translation>&amp;Testen</translation>
    </message>
</context>
<context>
    <name>WorkingPage</name>
    <message>
        <source>Checking your storage</source>
        <translation>Speicherort wird geprüft</translation>
    </message>
    <message>
        <source>Looking for changed files</source>
        <translation>Geänderte Dateien werden gesucht</translation>
    </message>
    <message>
        <source>Receiving files</source>
        <translation>Dateien werden empfangen</translation>
    </message>
    <message>
        <source>Saving files on this laptop</source>
        <translation>Dateien werden auf diesem Laptop gespeichert</translation>
    </message>
    <message>
        <source>Sending files</source>
        <translation>Dateien werden gesendet</translation>
    </message>
    <message>
        <source>Syncing</source>
        <translation>Wird synchronisiert</translation>
    </message>
    <message>
        <source>{step}: {done} of {total}</source>
        <translation>{step}: {done} von {total}</translation>
    </message>
</context>
<context>
    <name>widgets</name>
    <message>
        <source>1 hour ago</source>
        <translation>vor 1 Stunde</translation>
    </message>
    <message>
        <source>1 minute ago</source>
        <translation>vor 1 Minute</translation>
    </message>
    <message>
        <source>just now</source>
        <translation>gerade eben</translation>
    </message>
    <message>
        <source>never</source>
        <translation>nie</translation>
    </message>
    <message>
        <source>yesterday</source>
        <translation>gestern</translation>
    </message>
    <message>
        <source>{n} days ago</source>
        <translation>vor {n} Tagen</translation>
    </message>
    <message>
        <source>{n} hours ago</source>
        <translation>vor {n} Stunden</translation>
    </message>
    <message>
        <source>{n} minutes ago</source>
        <translation>vor {n} Minuten</translation>
    </message>
</context>
</TS>
