from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

def index(request): return HttpResponse("")
centre_geojson = search = go = detail = detail_geojson = index
