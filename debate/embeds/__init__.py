"""The poll inside other sites: embeddable views, snippets to paste, oEmbed."""
