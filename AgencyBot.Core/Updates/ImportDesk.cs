using AgencyBot.Core.Onboarding;
using AgencyBot.Core.Staff;
using AgencyBot.Core.Turns;

namespace AgencyBot.Core.Updates;

/// <summary>/import as the caption of a CSV (or a reply to one), in the staff chat or privately: the file is recorded
/// and imported right after (<see cref="ImportRequests"/>), which answers with the invitations.</summary>
public sealed class ImportDesk(ImportSignal signal, ILogger<ImportDesk> logger)
{
    public const string Columns = "client, project, template, language, contact (only client and project are required)";

    public async Task RequestAsync(Turn turn, Message message)
    {
        var member = turn.Member!;
        if (member.Role is not (StaffRole.Manager or StaffRole.Assistant))
        {
            await turn.ReplyAsync(message, "Only managers and assistants import clients and projects.");
            return;
        }
        if ((message.Document ?? message.ReplyToMessage?.Document) is not { } document)
        {
            await turn.ReplyAsync(message, $"Send the file (CSV, or a JSON array) with /import as its caption, or answer /import to it. Its columns: {Columns}.");
            return;
        }
        if (document.FileSize > ImportRequests.MaxBytes)
        {
            await turn.ReplyAsync(message, $"This file is larger than {ImportRequests.MaxBytes / 1024} KB; split it in parts.");
            return;
        }
        await ImportRequests.AddAsync(turn.Connection, turn.Transaction, message, document, member.Id, turn.Now);
        signal.Notify(); // look soon (the poll finds it anyway if this turn has not committed by then)
        logger.LogInformation("Staff {StaffId} asked to import {FileName}", member.Id, document.FileName);
        await turn.ReplyAsync(message, $"📥 Importing {document.FileName ?? "the file"}… the invitations follow here.");
    }
}
