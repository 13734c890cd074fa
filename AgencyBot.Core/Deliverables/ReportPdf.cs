using SkiaSharp;

namespace AgencyBot.Core.Deliverables;

/// <summary>
/// The PDF copy of a client report, drawn with Skia's PDF back end (the one Chrome prints with): A4 pages, the
/// title in bold, the text wrapped to the page, with the system's fonts (DejaVu in the container image).
/// </summary>
public static class ReportPdf
{
    private const float Width = 595, Height = 842, Margin = 56, Size = 11, Leading = 16;

    public static byte[] Of(string title, string text)
    {
        using var stream = new MemoryStream();
        using (var document = SKDocument.CreatePdf(stream, new SKDocumentPdfMetadata { Title = title, Creator = "AgencyBot" }))
        {
            using var regular = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans") ?? SKTypeface.Default, Size);
            using var bold = new SKFont(SKTypeface.FromFamilyName("DejaVu Sans", SKFontStyle.Bold) ?? SKTypeface.Default, Size + 5);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            var canvas = document.BeginPage(Width, Height);
            var y = Margin + bold.Size;
            canvas.DrawText(title, Margin, y, SKTextAlign.Left, bold, ink);
            y += Leading * 2;
            foreach (var line in text.Split('\n').SelectMany(l => Wrap(l, regular, Width - 2 * Margin)))
            {
                if (y > Height - Margin)
                {
                    document.EndPage();
                    canvas = document.BeginPage(Width, Height);
                    y = Margin + Size;
                }
                canvas.DrawText(line, Margin, y, SKTextAlign.Left, regular, ink);
                y += Leading;
            }
            document.EndPage();
            document.Close();
        }
        return stream.ToArray();
    }

    /// <summary>A paragraph in lines that fit the width, broken between words.</summary>
    private static IEnumerable<string> Wrap(string paragraph, SKFont font, float width)
    {
        if (paragraph.Length == 0)
        {
            yield return "";
            yield break;
        }
        var line = "";
        foreach (var word in paragraph.Split(' '))
        {
            var candidate = line.Length == 0 ? word : line + " " + word;
            if (font.MeasureText(candidate) <= width || line.Length == 0) line = candidate;
            else
            {
                yield return line;
                line = word;
            }
        }
        yield return line;
    }
}
