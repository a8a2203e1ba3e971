namespace Dtp.Sds;

/// <summary>A worksheet cell as written: its 1-based column, type (<c>t</c>: null for a number), style (<c>s</c>, or -1), value and formula.</summary>
internal readonly record struct XlsxCell(int Column, string? Type, int Style, string? Raw, string? Formula);
