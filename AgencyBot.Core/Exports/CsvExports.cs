using System.Data.Common;
using CsvHelper;
using CsvHelper.Configuration;
using AgencyBot.Core.Data;

namespace AgencyBot.Core.Exports;

/// <summary>
/// The record as spreadsheets read it: conversations, messages, first answers (response times) and time entries of
/// a period, one CSV each, streamed row by row. Times are ISO-8601. A cell a client wrote that starts with =, +, -, @
/// (a formula to a spreadsheet) is escaped with a leading apostrophe, so opening an export runs nothing.
/// </summary>
public sealed class CsvExports(Database database)
{
    public static readonly IReadOnlyList<string> Kinds = ["conversations", "messages", "response-times", "time-entries"];

    /// <summary>How every CSV the bot writes is written: a cell starting with =, +, -, @ gets a leading apostrophe.</summary>
    public static CsvConfiguration Configuration() => new(CultureInfo.InvariantCulture) { InjectionOptions = InjectionOptions.Escape };

    private const string Conversations = """
        SELECT cv.id AS Id, c.name AS Client, p.name AS Project, cv.chat_id AS ChatId, cv.created_at AS CreatedAt,
               cv.last_message_at AS LastMessageAt, cv.waiting_since AS WaitingSince
        FROM conversations cv JOIN projects p ON p.id = cv.project_id JOIN clients c ON c.id = p.client_id
        WHERE cv.last_message_at >= @From AND cv.created_at < @To ORDER BY cv.id
        """;

    private const string Messages = """
        SELECT m.id AS Id, m.conversation_id AS ConversationId, c.name AS Client, p.name AS Project, m.direction AS Direction, m.kind AS Kind,
               m.sender_name AS Sender, m.text AS Text, m.created_at AS CreatedAt, m.edited_at AS EditedAt
        FROM messages m JOIN conversations cv ON cv.id = m.conversation_id JOIN projects p ON p.id = cv.project_id JOIN clients c ON c.id = p.client_id
        WHERE m.created_at >= @From AND m.created_at < @To ORDER BY m.id
        """;

    private const string ResponseTimes = """
        SELECT r.id AS Id, c.name AS Client, p.name AS Project, r.conversation_id AS ConversationId, r.waiting_since AS WaitingSince,
               r.answered_at AS AnsweredAt, s.name AS AnsweredBy, r.seconds AS Seconds, r.business_seconds AS BusinessSeconds, r.breached AS Breached
        FROM response_log r JOIN projects p ON p.id = r.project_id JOIN clients c ON c.id = p.client_id LEFT JOIN staff s ON s.id = r.answered_by
        WHERE r.answered_at >= @From AND r.answered_at < @To ORDER BY r.id
        """;

    private const string TimeEntries = """
        SELECT e.id AS Id, c.name AS Client, p.name AS Project, s.name AS Staff, e.spent_on AS SpentOn, e.minutes AS Minutes, e.category AS Category,
               e.source AS Source, e.replaces AS Replaces, e.note AS Note, e.created_at AS CreatedAt
        FROM time_entries e JOIN projects p ON p.id = e.project_id JOIN clients c ON c.id = p.client_id LEFT JOIN staff s ON s.id = e.staff_id
        WHERE e.spent_on >= @FromDay AND e.spent_on < @ToDay ORDER BY e.id
        """;

    /// <summary>Writes the export of <paramref name="kind"/> for [from, to) to <paramref name="output"/>.</summary>
    public async Task WriteAsync(string kind, DateTimeOffset from, DateTimeOffset to, Stream output, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await using var text = new StreamWriter(output, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: true), leaveOpen: true);
        await using var csv = new CsvWriter(text, Configuration());
        var period = new
        {
            From = from.ToUnixTimeMilliseconds(), To = to.ToUnixTimeMilliseconds(),
            FromDay = from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ToDay = to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        switch (kind)
        {
            case "conversations":
                await WriteRowsAsync(csv, connection.QueryUnbufferedAsync<ConversationRow>(Conversations, period), r => new
                {
                    r.Id, r.Client, r.Project, r.ChatId, CreatedAt = Iso(r.CreatedAt), LastMessageAt = Iso(r.LastMessageAt), WaitingSince = Iso(r.WaitingSince),
                }, ct);
                break;
            case "messages":
                await WriteRowsAsync(csv, connection.QueryUnbufferedAsync<MessageRow>(Messages, period), r => new
                {
                    r.Id, r.ConversationId, r.Client, r.Project, r.Direction, r.Kind, r.Sender, r.Text, CreatedAt = Iso(r.CreatedAt), EditedAt = Iso(r.EditedAt),
                }, ct);
                break;
            case "response-times":
                await WriteRowsAsync(csv, connection.QueryUnbufferedAsync<AnswerRow>(ResponseTimes, period), r => new
                {
                    r.Id, r.Client, r.Project, r.ConversationId, WaitingSince = Iso(r.WaitingSince), AnsweredAt = Iso(r.AnsweredAt), r.AnsweredBy,
                    r.Seconds, r.BusinessSeconds, Breached = r.Breached == 1,
                }, ct);
                break;
            case "time-entries":
                await WriteRowsAsync(csv, connection.QueryUnbufferedAsync<TimeRow>(TimeEntries, period), r => new
                {
                    r.Id, r.Client, r.Project, r.Staff, r.SpentOn, r.Minutes, r.Category, r.Source, r.Replaces, r.Note, CreatedAt = Iso(r.CreatedAt),
                }, ct);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind), kind, $"One of: {string.Join(", ", Kinds)}");
        }
        await csv.FlushAsync();
    }

    private static async Task WriteRowsAsync<TRow, TLine>(CsvWriter csv, IAsyncEnumerable<TRow> rows, Func<TRow, TLine> line, CancellationToken ct)
    {
        csv.WriteHeader<TLine>();
        await csv.NextRecordAsync();
        await foreach (var row in rows.WithCancellation(ct))
        {
            csv.WriteRecord(line(row));
            await csv.NextRecordAsync();
        }
    }

    private static string? Iso(long? ms) => ms is { } at ? DateTimeOffset.FromUnixTimeMilliseconds(at).ToString("O", CultureInfo.InvariantCulture) : null;

    private sealed record ConversationRow
    {
        public long Id { get; init; }
        public string Client { get; init; } = "";
        public string Project { get; init; } = "";
        public long ChatId { get; init; }
        public long CreatedAt { get; init; }
        public long LastMessageAt { get; init; }
        public long? WaitingSince { get; init; }
    }

    private sealed record MessageRow
    {
        public long Id { get; init; }
        public long ConversationId { get; init; }
        public string Client { get; init; } = "";
        public string Project { get; init; } = "";
        public string Direction { get; init; } = "";
        public string Kind { get; init; } = "";
        public string? Sender { get; init; }
        public string? Text { get; init; }
        public long CreatedAt { get; init; }
        public long? EditedAt { get; init; }
    }

    private sealed record AnswerRow
    {
        public long Id { get; init; }
        public string Client { get; init; } = "";
        public string Project { get; init; } = "";
        public long ConversationId { get; init; }
        public long WaitingSince { get; init; }
        public long AnsweredAt { get; init; }
        public string? AnsweredBy { get; init; }
        public long Seconds { get; init; }
        public long BusinessSeconds { get; init; }
        public long Breached { get; init; }
    }

    private sealed record TimeRow
    {
        public long Id { get; init; }
        public string Client { get; init; } = "";
        public string Project { get; init; } = "";
        public string? Staff { get; init; }
        public string SpentOn { get; init; } = "";
        public long Minutes { get; init; }
        public string Category { get; init; } = "";
        public string Source { get; init; } = "";
        public long? Replaces { get; init; }
        public string? Note { get; init; }
        public long CreatedAt { get; init; }
    }
}
