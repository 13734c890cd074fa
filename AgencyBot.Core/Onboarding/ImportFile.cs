using System.Text.Json;
using System.Text.Json.Serialization;
using CsvHelper;
using CsvHelper.Configuration;

namespace AgencyBot.Core.Onboarding;

/// <summary>One line of an import: a project for a client (created when there is no client of that name).</summary>
public sealed record ImportRow
{
    public int Line { get; init; }
    public string? Client { get; init; }
    public string? Project { get; init; }
    public string? Template { get; init; }
    public string? Language { get; init; }
    public string? Contact { get; init; }
}

/// <summary>
/// The file an agency moves its clients over with: CSV (a header line naming the columns client, project, template,
/// language, contact in any order; comma or semicolon, as spreadsheets in either convention save it) or a JSON array
/// of objects with those fields. Only client and project are required.
/// </summary>
public static partial class ImportFile
{
    public const int MaxRows = 1000;

    [JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
    [JsonSerializable(typeof(List<ImportRow?>))]
    private sealed partial class ImportJson : JsonSerializerContext;

    /// <summary>The rows, or why the file cannot be read (one sentence for a person).</summary>
    public static (IReadOnlyList<ImportRow> Rows, string? Problem) Read(string content, bool json)
    {
        try
        {
            var rows = json ? FromJson(content) : FromCsv(content);
            return rows.Count switch
            {
                0 => ([], "The file has no projects in it."),
                > MaxRows => ([], $"At most {MaxRows} projects at once; this file has {rows.Count}."),
                _ => (rows, null),
            };
        }
        catch (Exception ex) when (ex is JsonException or CsvHelperException or FormatException)
        {
            return ([], json ? $"This is not a JSON array of projects: {ex.Message.Split('\n')[0]}"
                : $"This CSV cannot be read: {ex.Message.Split('\n')[0]} It needs a header line with the columns client and project (template, language, contact are optional).");
        }
    }

    private static List<ImportRow> FromJson(string content) =>
        (JsonSerializer.Deserialize(content, ImportJson.Default.ListImportRow) ?? []).Select((row, i) => (row ?? new ImportRow()) with { Line = i + 1 }).ToList();

    private static List<ImportRow> FromCsv(string content)
    {
        var configuration = new CsvConfiguration(CultureInfo.InvariantCulture)
        {
            DetectDelimiter = true,
            DetectDelimiterValues = [",", ";", "\t"],
            PrepareHeaderForMatch = a => a.Header.Trim().ToLowerInvariant(),
            TrimOptions = TrimOptions.Trim,
            MissingFieldFound = null,
            HeaderValidated = a =>
            {
                if (a.InvalidHeaders.Any(h => h.Names.Any(n => n is "client" or "project")))
                    throw new FormatException("The header line needs the columns client and project.");
            },
        };
        using var reader = new StringReader(content);
        using var csv = new CsvReader(reader, configuration);
        csv.Context.RegisterClassMap<RowMap>();
        var rows = new List<ImportRow>();
        foreach (var row in csv.GetRecords<ImportRow>())
            rows.Add(row with { Line = csv.Context.Parser!.Row, Template = Blank(row.Template), Language = Blank(row.Language), Contact = Blank(row.Contact) });
        return rows;
    }

    private static string? Blank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text;

    private sealed class RowMap : ClassMap<ImportRow>
    {
        public RowMap()
        {
            Map(r => r.Client).Name("client");
            Map(r => r.Project).Name("project");
            Map(r => r.Template).Name("template").Optional();
            Map(r => r.Language).Name("language").Optional();
            Map(r => r.Contact).Name("contact").Optional();
            Map(r => r.Line).Ignore();
        }
    }
}
