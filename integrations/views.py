from django.shortcuts import render

from integrations.registry import registry


def integration_list(request, workspace_slug):
    return render(request, "integrations/index.html", {"providers": registry.all()})
